from collections.abc import AsyncIterator
from typing import Annotated

import anyio

from injectkit import BackgroundTasks, Container, Depends
from injectkit.testing import queued, record

container = Container()


class Session:
    pass


@container.provider
async def session() -> AsyncIterator[Session]:
    yield Session()


def write_log(message: str) -> None:
    raise RuntimeError("captured tasks do not run")


def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        background_tasks.add_task(write_log, f"found query: {q}\n")
    return q


@container.inject
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    q: Annotated[str | None, Depends(get_query)],
    db: Session,
) -> dict[str, str]:
    background_tasks.add_task(write_log, f"message to {email}\n")
    return {"message": "Message sent"}


async def main() -> None:
    async with record(container) as rec:
        print(await send_notification("a@b.c", q="x"))
    print(rec)
    assert rec.tasks == [
        queued(write_log, "found query: x\n"),
        queued(write_log, "message to a@b.c\n"),
    ]
    for event in rec.events:
        print(f"  {event.kind:<9} {event.name}")


anyio.run(main)

# Output:
# {'message': 'Message sent'}
# providers: get_query, session
# finalizers: session
# tasks (captured): write_log('found query: x\n'), write_log('message to a@b.c\n')
#   provider  get_query
#   task      write_log
#   provider  session
#   task      write_log
#   finalizer session
