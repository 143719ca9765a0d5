import asyncio
from collections.abc import AsyncIterator, Iterator

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from injectkit import BackgroundTasks, Container
from injectkit.integrations.aiohttp import inject, setup

container = Container()
closed = asyncio.Event()


class Session:
    pass


@container.provider
def open_session() -> Iterator[Session]:
    print("session opened")
    yield Session()
    print("session closed")
    closed.set()


@container.inject
async def rows(session: Session, count: int) -> AsyncIterator[bytes]:
    for i in range(count):
        print(f"sending row {i}")
        yield f"row {i}\n".encode()


@inject
async def export(request: web.Request, tasks: BackgroundTasks) -> web.StreamResponse:
    tasks.add_task(print, "task: export logged")
    response = web.StreamResponse()
    await response.prepare(request)
    # The generator joins this request: same session, closed after the response.
    async for row in rows(count=2):
        await response.write(row)
    await response.write_eof()
    return response


async def main() -> None:
    app = web.Application()
    app.router.add_get("/export", export)
    setup(app, container)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/export")
        body = await response.text()
        await closed.wait()  # the scope closes once aiohttp has finished the response
    print(body, end="")


asyncio.run(main())

# Output:
# session opened
# sending row 0
# sending row 1
# task: export logged
# session closed
# row 0
# row 1
