"""Apps built in a factory function under ``from __future__ import annotations``: the
sub-dependencies' string annotations name classes local to the factory (the usual test
fixture shape), served by uvicorn and called with httpx."""

from __future__ import annotations

from typing import Annotated, Any

import fastapi
import pytest
from litestar import Litestar, get
from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import Container, Depends
from injectkit.integrations import fastapi as ik_fastapi
from injectkit.integrations import litestar as ik_litestar
from injectkit.integrations import starlette as ik_starlette

from . import _scenarios as scenarios
from .conftest import serve_asgi

pytestmark = pytest.mark.anyio


def make_app(framework: str) -> Any:
    """The app of ``framework``, built here with a local class and a dependency on it."""

    class Settings:
        dsn = "sqlite://"

    def get_dsn(settings: Settings) -> str:
        return settings.dsn

    container = Container()
    container.register(Settings, scope="app")
    if framework == "fastapi":
        app = fastapi.FastAPI()

        @app.get("/dsn")
        @ik_fastapi.inject
        async def dsn(value: Annotated[str, Depends(get_dsn)]) -> dict[str, Any]:
            return {"dsn": value}

        ik_fastapi.setup(app, container)
        return app
    if framework == "litestar":

        @get("/dsn")
        @ik_litestar.inject
        async def litestar_dsn(value: Annotated[str, Depends(get_dsn)]) -> dict[str, Any]:
            return {"dsn": value}

        return Litestar([litestar_dsn], plugins=[ik_litestar.InjectKitPlugin(container)])

    @ik_starlette.inject
    async def starlette_dsn(value: Annotated[str, Depends(get_dsn)]) -> dict[str, Any]:
        return {"dsn": value}

    starlette_app = Starlette(routes=[Route("/dsn", starlette_dsn)])
    ik_starlette.setup(starlette_app, container)
    return starlette_app


@pytest.mark.parametrize("framework", ["fastapi", "litestar", "starlette"])
async def test_sub_dependency_annotations_naming_factory_locals_resolve(framework: str) -> None:
    """A sub-dependency's string annotation naming a class of the app's factory resolves
    at start-up, as it does in Starlette: the app starts and serves the value."""
    with serve_asgi(make_app(framework)) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/dsn")
    assert response.status_code == 200, response.text
    assert response.json() == {"dsn": "sqlite://"}
