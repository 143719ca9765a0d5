import logging

import anyio

from injectkit import BackgroundTask, BackgroundTasks, Container


class PrintHandler(logging.Handler):  # shows log records here instead of on stderr
    def emit(self, record: logging.LogRecord) -> None:
        print(f"{record.levelname} {record.name}: {record.getMessage()}")


logging.getLogger("injectkit").addHandler(PrintHandler())


def report_failure(error: BaseException, task: BackgroundTask) -> None:
    print(f"hook: {task.name} raised {error!r}")


container = Container(on_task_error=report_failure)


def send_receipt(order: int) -> None:
    raise ConnectionError("mail server down")


def update_stock(order: int) -> None:
    print(f"stock updated for order {order}")


@container.inject
async def place_order(order: int, tasks: BackgroundTasks) -> str:
    tasks.add_task(send_receipt, order)
    tasks.add_task(update_stock, order)
    return "placed"


async def main() -> None:
    print(await place_order(42))


anyio.run(main)

# Output:
# ERROR injectkit: background task send_receipt failed
# hook: send_receipt raised ConnectionError('mail server down')
# stock updated for order 42
# placed
