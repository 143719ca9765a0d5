from collections.abc import AsyncIterator, Iterator

import anyio
import httpx
from litestar import Litestar, get
from litestar.response import Stream

from injectkit import BackgroundTasks, Container
from injectkit.integrations.litestar import InjectKitPlugin, inject

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


@get("/export")
@inject
async def export(tasks: BackgroundTasks) -> Stream:
    tasks.add_task(print, "task: export logged")
    # The generator joins this request: same session, closed after the last chunk.
    return Stream(rows(count=2))


app = Litestar([export], plugins=[InjectKitPlugin(container)], logging_config=None)


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
