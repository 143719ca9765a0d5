from typing import Annotated

import anyio

from injectkit import BackgroundTasks, Container, Depends

container = Container()


def write_log(message: str) -> None:
    print(f"log: {message}")


def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        message = f"found query: {q}"
        background_tasks.add_task(write_log, message)
    return q


@container.inject
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    message = f"message to {email}"
    background_tasks.add_task(write_log, message)
    print("handler returns")
    return {"message": "Message sent"}


async def main() -> None:
    print(await send_notification("ada@example.com", q="injectkit"))
    print(await send_notification("grace@example.com"))


anyio.run(main)

# Output:
# handler returns
# log: found query: injectkit
# log: message to ada@example.com
# {'message': 'Message sent'}
# handler returns
# log: message to grace@example.com
# {'message': 'Message sent'}
