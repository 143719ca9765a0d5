from collections.abc import AsyncIterator
from typing import Annotated

import anyio

from injectkit import Container, Depends

container = Container()


async def connection() -> AsyncIterator[str]:
    print("connection opened")
    try:
        yield "conn"
    finally:
        await anyio.sleep(0)  # finalizers are shielded: they may still await
        print("connection closed")


@container.inject
async def long_poll(conn: Annotated[str, Depends(connection)], started: anyio.Event) -> None:
    started.set()
    await anyio.sleep_forever()


async def main() -> None:
    async with anyio.create_task_group() as tg:
        started = anyio.Event()
        tg.start_soon(lambda: long_poll(started=started))
        await started.wait()
        tg.cancel_scope.cancel()  # e.g. the client went away
    print("cancelled")


anyio.run(main)

# Output:
# connection opened
# connection closed
# cancelled
