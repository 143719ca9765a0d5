from collections.abc import AsyncIterator

import anyio
import httpx
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide

from injectkit import Container
from injectkit.integrations.litestar import InjectKitPlugin, provide

container = Container()


class Connection:
    def fetch(self) -> str:
        return "one row"


@container.provider
async def connect() -> AsyncIterator[Connection]:
    print("connected")
    yield Connection()
    print("disconnected")  # after the response


@get("/row", dependencies={"db": Provide(provide(Connection))})
async def row(db: NamedDependency[Connection]) -> str:  # no @inject needed
    return db.fetch()


app = Litestar([row], plugins=[InjectKitPlugin(container)], logging_config=None)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/row")
    print(response.text)


anyio.run(main)

# Output:
# connected
# disconnected
# one row
