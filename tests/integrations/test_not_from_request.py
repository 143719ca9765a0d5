"""``NotFromRequest``: a free parameter no adapter reads from the request, and the
start-up errors where it cannot keep that promise; real uvicorn servers and httpx."""

from typing import Annotated, Any

import fastapi
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import Container, Depends, NotFromRequest
from injectkit.integrations import fastapi as ik_fastapi
from injectkit.integrations import starlette as ik_starlette

from . import _scenarios as scenarios
from .conftest import serve_asgi

pytestmark = pytest.mark.anyio


def get_pool(pool_size: NotFromRequest[int] = 5, timeout: int = 10) -> dict[str, int]:
    return {"pool_size": pool_size, "timeout": timeout}


def starlette_app(dependency: Any) -> Starlette:
    @ik_starlette.inject
    async def pool(value: Annotated[dict[str, int], Depends(dependency)]) -> dict[str, int]:
        return value

    app = Starlette(routes=[Route("/pool", pool)])
    ik_starlette.setup(app, Container())
    return app


async def test_starlette_ignores_a_request_that_sets_a_not_from_request_parameter() -> None:
    """Starlette: ?pool_size=… leaves a NotFromRequest parameter at its default, while the
    unmarked parameter next to it is read."""
    with serve_asgi(starlette_app(get_pool)) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/pool", params={"pool_size": "99", "timeout": "3"})
    assert response.json() == {"pool_size": 5, "timeout": 3}


def test_direct_call_still_passes_a_not_from_request_parameter() -> None:
    """Outside a request the marker changes nothing: a call passes the value by name."""
    container = Container()

    @container.inject
    def pool(value: Annotated[dict[str, int], Depends(get_pool)]) -> dict[str, int]:
        return value

    assert pool(pool_size=1) == {"pool_size": 1, "timeout": 10}


async def test_startup_fails_on_a_not_from_request_parameter_without_default() -> None:
    """A NotFromRequest parameter with no default cannot be filled: start-up stops and
    says to give it a default or provide it."""

    def get_limit(limit: NotFromRequest[int]) -> int:
        return limit

    log = " ".join(scenarios.startup_failure_log(starlette_app(get_limit)).split())
    assert (
        "Parameter 'limit: int' of get_limit is marked NotFromRequest and has no default, "
        "so nothing fills it in a request." in log
    )
    assert "give it a default (the value every request gets)" in log


async def test_startup_fails_when_a_fastapi_parameter_reaches_a_not_from_request_one() -> None:
    """A FastAPI route parameter of the same name would hand the client's value to the
    marked one by name: start-up stops and names both."""
    app = fastapi.FastAPI()

    @app.get("/pool")
    @ik_fastapi.inject
    async def pool(
        value: Annotated[dict[str, int], Depends(get_pool)], pool_size: int = 1
    ) -> dict[str, int]:
        return value

    ik_fastapi.setup(app, Container())
    log = " ".join(scenarios.startup_failure_log(app).split())
    assert (
        "Parameter 'pool_size' of get_pool is marked NotFromRequest, but pool has a "
        "parameter 'pool_size' that the framework fills from the request" in log
    )
    assert "rename one of the two parameters." in log


async def test_fastapi_route_own_not_from_request_parameter_keeps_its_default() -> None:
    """A FastAPI route's own NotFromRequest parameter is not FastAPI's: ?limit=… is
    ignored, the parameter keeps its default and the schema does not list it."""
    app = fastapi.FastAPI()

    @app.get("/limit")
    @ik_fastapi.inject
    async def limit(limit: NotFromRequest[int] = 10, page: int = 1) -> dict[str, int]:
        return {"limit": limit, "page": page}

    ik_fastapi.setup(app, Container())
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/limit", params={"limit": "99", "page": "2"})
            schema = (await client.get("/openapi.json")).json()
    assert response.json() == {"limit": 10, "page": 2}
    listed = [p["name"] for p in schema["paths"]["/limit"]["get"]["parameters"]]
    assert listed == ["page"]
