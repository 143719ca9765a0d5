from collections.abc import AsyncIterator, Iterator

import anyio
import httpx
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from injectkit import BackgroundTasks, Container
from injectkit.integrations.starlette import inject, setup

container = Container()


class Session:
    pass


@container.provider
def open_session() -> Iterator[Session]:
    print("session opened")
    yield Session()
    print("session closed")


@container.inject
async def rows(session: Session, count: int) -> AsyncIterator[bytes]:
    for i in range(count):
        print(f"sending row {i}")
        yield f"row {i}\n".encode()


@inject
async def export(tasks: BackgroundTasks, count: int = 2) -> StreamingResponse:
    tasks.add_task(print, "task: export logged")
    # The generator joins this request: same session, closed after the last chunk.
    return StreamingResponse(rows(count=count))


app = Starlette(routes=[Route("/export", export)])
setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/export")
    print(response.text, end="")


anyio.run(main)

# Output:
# session opened
# sending row 0
# sending row 1
# task: export logged
# session closed
# row 0
# row 1
