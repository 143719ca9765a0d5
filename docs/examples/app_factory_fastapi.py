from __future__ import annotations

from typing import Annotated

import anyio
import fastapi
import httpx

from injectkit import Container, Depends
from injectkit.integrations.fastapi import inject, setup


def create_app(dsn: str) -> fastapi.FastAPI:
    class Settings:  # local to the factory, as in a test fixture
        def __init__(self) -> None:
            self.dsn = dsn

    def get_dsn(settings: Settings) -> str:  # "Settings" is a string annotation
        return settings.dsn

    container = Container()
    container.register(Settings, scope="app")
    app = fastapi.FastAPI()

    @app.get("/dsn")
    @inject
    async def show_dsn(value: Annotated[str, Depends(get_dsn)]) -> str:
        return value

    setup(app, container)
    return app


async def main() -> None:
    transport = httpx.ASGITransport(app=create_app("sqlite://"))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/dsn")
    print(response.json())


anyio.run(main)

# Output:
# sqlite://
