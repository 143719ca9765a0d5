"""An injected route on an app whose injectkit setup() was never called fails with an
InjectionError naming the handler, the route and the adapter's own setup call, before
any provider runs (Starlette, FastAPI and Litestar through uvicorn; Flask through werkzeug's
server; aiohttp through its runner).

No framework runs injectkit code before the first request when setup() is missing, so
the first request to an injected route is where the mistake shows.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from injectkit import Container, InjectionError

from .conftest import TIMEOUT, Recorder, serve_asgi

pytestmark = pytest.mark.anyio


class Session:
    """A request-scoped service whose provider records that it ran."""


def container_recording_into(recorder: Recorder) -> Container:
    container = Container()

    def session() -> Session:
        recorder("provider ran")
        return Session()

    container.register(Session, session)
    return container


def starlette_app(recorder: Recorder) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from injectkit.integrations.starlette import inject

    container_recording_into(recorder)  # made, but never given to setup()

    @inject
    async def show_item(n: int, session: Session) -> dict[str, int]:
        return {"n": n}

    async def on_injection_error(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=500)

    return Starlette(
        routes=[Route("/items/{n:int}", show_item)],
        exception_handlers={InjectionError: on_injection_error},
    )


def fastapi_app(recorder: Recorder) -> Any:
    from fastapi import FastAPI, Request
    from fastapi.responses import PlainTextResponse

    from injectkit.integrations.fastapi import FromContainer, inject

    container_recording_into(recorder)
    app = FastAPI()

    @app.get("/items/{n}")
    @inject
    async def show_item(n: int, session: FromContainer[Session]) -> dict[str, int]:
        return {"n": n}

    @app.exception_handler(InjectionError)
    async def on_injection_error(request: Request, exc: InjectionError) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=500)

    return app


def litestar_app(recorder: Recorder) -> Any:
    from litestar import Litestar, Request, Response, get
    from litestar.params import FromPath

    from injectkit.integrations.litestar import FromContainer, inject

    container_recording_into(recorder)

    @get("/items/{n:int}")
    @inject
    async def show_item(n: FromPath[int], session: FromContainer[Session]) -> dict[str, int]:
        return {"n": n}

    def on_injection_error(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
        return Response(str(exc), status_code=500)

    return Litestar([show_item], exception_handlers={InjectionError: on_injection_error})


CASES = {
    "starlette": (starlette_app, "GET /items/{n:int}"),
    "fastapi": (fastapi_app, "GET /items/{n}"),
    "litestar": (litestar_app, "GET /items/{n}"),
}


@pytest.mark.parametrize("module", sorted(CASES))
async def test_forgotten_setup_names_handler_route_and_the_adapters_setup(
    module: str, recorder: Recorder, anyio_backend: str
) -> None:
    """Without setup(), the first request fails naming the handler, route and module's setup."""
    make_app, route = CASES[module]
    with serve_asgi(make_app(recorder)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/items/3")
    assert response.status_code == 500
    message = response.text
    # the message's first line leaves room for "injectkit.InjectionError: " (80 columns)
    start = f"show_item (route {route}): no injectkit request scope is open"
    cut = start.rindex(" ", 0, 80 - len("injectkit.InjectionError: ") + 1)
    assert message.startswith(start[:cut] + "\n" + start[cut + 1 :])
    assert "setup() was not called" in message
    assert f"injectkit.integrations.{module}.setup(app, container)" in message
    other_modules = {"starlette", "fastapi", "litestar"} - {module}
    assert not any(f"injectkit.integrations.{other}" in message for other in other_modules)
    assert recorder.events == []  # raised before any provider ran


def test_flask_forgotten_setup_names_handler_route_and_the_flask_setup(recorder: Recorder) -> None:
    """Flask without setup(): the first request names the view, its URL rule and the fix."""
    import flask

    from injectkit.integrations.flask import inject

    from .conftest import serve_wsgi as running

    container_recording_into(recorder)
    app = flask.Flask(__name__)

    @app.get("/items/<int:n>")
    @inject
    def show_item(n: int, session: Session) -> dict[str, int]:
        return {"n": n}

    @app.errorhandler(InjectionError)
    def on_injection_error(exc: InjectionError) -> tuple[str, int]:
        return str(exc), 500

    with running(app) as url:
        response = httpx.get(f"{url}/items/3", timeout=TIMEOUT)
    assert response.status_code == 500
    assert response.text.startswith("show_item (route GET /items/<int:n>): this Flask app\nhas no")
    assert "injectkit.integrations.flask.setup(app, container)" in response.text
    assert recorder.events == []


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
async def test_aiohttp_forgotten_setup_names_handler_route_and_the_aiohttp_setup(
    recorder: Recorder, anyio_backend: str
) -> None:
    """aiohttp without setup(): the first request names the handler, route and the fix."""
    from aiohttp import web

    from injectkit.integrations.aiohttp import inject

    from .test_aiohttp import running

    container_recording_into(recorder)

    @inject
    async def show_item(n: int, session: Session) -> web.Response:
        return web.json_response({"n": n})

    @web.middleware
    async def injection_error_as_text(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except InjectionError as exc:
            return web.Response(text=str(exc), status=500)
        return response

    app = web.Application(middlewares=[injection_error_as_text])
    app.router.add_get("/items/{n}", show_item)
    async with running(app) as url, httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
        response = await client.get("/items/3")
    assert response.status_code == 500
    assert response.text.startswith("show_item (route GET /items/{n}): this aiohttp app has")
    assert "injectkit.integrations.aiohttp.setup(app, container)" in response.text
    assert recorder.events == []
