import logging
import threading
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread

from injectkit import BackgroundTasks, Container


class PrintHandler(logging.Handler):  # shows log records here instead of on stderr
    def emit(self, record: logging.LogRecord) -> None:
        print(f"{record.levelname} {record.name}: {record.getMessage()}")


logging.getLogger("injectkit").addHandler(PrintHandler())

container = Container(task_timeout=0.5, finalizer_timeout=0.5)
mail_server_answers = threading.Event()  # set only after the request is over
receipt_sent = threading.Event()


class Session:
    pass


@container.provider
async def session() -> AsyncIterator[Session]:
    yield Session()
    print("session closed")


async def refresh_cache() -> None:
    await anyio.sleep_forever()  # a hung async task: cancelled at its limit


def send_receipt(order: int) -> None:
    mail_server_answers.wait()  # a blocked sync task: abandoned at its limit
    receipt_sent.set()


async def write_audit(order: int) -> None:
    await anyio.sleep(0.8)  # longer than the container's limit, within its own
    print(f"audit written for order {order}")


@container.inject
async def place_order(order: int, tasks: BackgroundTasks, session: Session) -> str:
    tasks.add_task(refresh_cache)
    tasks.add_task(send_receipt, order)
    tasks.with_timeout(5).add_task(write_audit, order)
    return "placed"


async def main() -> None:
    print(await place_order(42))
    mail_server_answers.set()  # the abandoned thread goes on, and logs when it ends
    await anyio.to_thread.run_sync(receipt_sent.wait)


anyio.run(main)

# Output:
# ERROR injectkit: background task refresh_cache did not finish within ... was cancelled
# ERROR injectkit: background task send_receipt did not finish ... its thread runs on
# audit written for order 42
# session closed
# placed
# ...
