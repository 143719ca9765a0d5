from collections.abc import Iterator
from typing import Annotated

import anyio

from injectkit import BackgroundTasks, Container, Depends


class Settings:
    dsn = "sqlite:///notes.db"


class Session:
    def __init__(self, dsn: str) -> None:
        print(f"session opened on {dsn}")

    def close(self) -> None:
        print("session closed")


container = Container()


@container.provider(scope="app")  # one for the container's life
def settings() -> Settings:
    return Settings()


@container.provider(scope="request")  # one per request, closed after the response
def session(settings: Settings) -> Iterator[Session]:
    s = Session(settings.dsn)
    try:
        yield s
    finally:
        s.close()


def write_log(message: str) -> None:
    print(f"log: {message}")


def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        tasks.add_task(write_log, f"found query: {q}")
    return q


@container.inject
async def send_notification(
    email: str,  # free: from the caller
    tasks: BackgroundTasks,  # the request's one instance
    q: Annotated[str | None, Depends(get_query)],  # explicit marker
    db: Session,  # by type, from the container
) -> dict[str, str]:
    tasks.add_task(write_log, f"message to {email}")
    print("handler returns")
    return {"message": "Message sent"}


async def main() -> None:
    result = await send_notification("a@b.c", q="x")
    print(result)


anyio.run(main)

# Output:
# session opened on sqlite:///notes.db
# handler returns
# log: found query: x
# log: message to a@b.c
# session closed
# {'message': 'Message sent'}
