from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import fastapi
import httpx

from injectkit import Container
from injectkit.integrations.fastapi import provide, setup

container = Container()


class Session:
    pass


class Settings:
    dsn = "sqlite://"


@container.provider
async def open_session() -> AsyncIterator[Session]:  # an async generator provider
    print("session opened")
    yield Session()
    print("session closed")  # in the request's scope, after the response


@container.provider(scope="app")
def settings() -> Settings:  # a sync provider
    return Settings()


app = fastapi.FastAPI()


@app.get("/dsn")  # a plain FastAPI route: no @inject needed for provide()
async def dsn(
    session: Annotated[Session, fastapi.Depends(provide(Session))],
    settings: Annotated[Settings, fastapi.Depends(provide(Settings))],
) -> str:
    print("handler")
    return settings.dsn


setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/dsn")
    print(response.json())


anyio.run(main)

# Output:
# session opened
# handler
# session closed
# sqlite://
