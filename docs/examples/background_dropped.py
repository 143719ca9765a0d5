import logging

import anyio

from injectkit import BackgroundTasks, Container


class PrintHandler(logging.Handler):  # shows log records here instead of on stderr
    def emit(self, record: logging.LogRecord) -> None:
        print(f"{record.levelname} {record.name}: {record.getMessage()}")


logger = logging.getLogger("injectkit")
logger.addHandler(PrintHandler())
logger.setLevel(logging.DEBUG)

container = Container()


def send_confirmation(email: str) -> None:
    print(f"confirmation sent to {email}")


@container.inject
async def subscribe(email: str, tasks: BackgroundTasks) -> str:
    tasks.add_task(send_confirmation, email)
    if "@" not in email:
        raise ValueError(f"not an email: {email}")
    return "subscribed"


async def main() -> None:
    print(await subscribe("ada@example.com"))
    try:
        await subscribe("nobody")
    except ValueError as exc:
        print(f"caller got {exc!r}")


anyio.run(main)

# Output:
# confirmation sent to ada@example.com
# subscribed
# DEBUG injectkit: dropping 1 background task(s) because the call raised ValueError
# caller got ValueError('not an email: nobody')
