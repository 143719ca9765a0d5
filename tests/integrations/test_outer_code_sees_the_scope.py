"""Code outside injectkit's ASGI middleware sees what the router and inner middleware wrote
into the connection's scope: the route, its path parameters, ``request.state``, the user.

Error handlers for 500s, ``http`` middleware after ``call_next`` and ASGI wrappers around
the whole app (error reporters, metrics) read these.  Each app reports what it saw in its
response: the 500 handler in its JSON body, the middleware and the outer wrapper in
headers.  Starlette, FastAPI and Litestar; ``setup()`` called before the app's other
middleware is added and after it; through uvicorn and through ``httpx.ASGITransport``
(where the app runs on the test's own event loop, asyncio or trio).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest

from injectkit import Container

from .conftest import TIMEOUT, serve_asgi

pytestmark = pytest.mark.anyio

USER = "ann"
ROUTE = {"starlette": "/{}/{{n:int}}", "fastapi": "/{}/{{n}}", "litestar": "/{}/{{n:int}}"}


class Counter:
    """A request-scoped service: injectkit still fills the handlers."""

    def __init__(self) -> None:
        self.n = 1


def _seen(scope: Any, route: str | None, state: Any) -> dict[str, Any]:
    user = scope.get("user")
    return {
        "route": route,
        "path_params": {k: str(v) for k, v in (scope.get("path_params") or {}).items()},
        "state": state,
        "user": getattr(user, "display_name", user),
    }


def starlette_seen(scope: Any) -> dict[str, Any]:
    """What a Starlette error reporter or metrics middleware reads from a scope."""
    state = scope.get("state") or {}
    return _seen(scope, getattr(scope.get("route"), "path", None), state.get("marker"))


def litestar_seen(scope: Any) -> dict[str, Any]:
    """What a Litestar error reporter or metrics middleware reads from a scope."""
    handler = scope.get("route_handler")
    route = next(iter(handler.paths)) if handler is not None else None
    state = scope.get("state") or {}
    return _seen(scope, route, state.get("marker"))


def observed_at_response_start(
    app: Any, header: str, seen: Callable[[Any], dict[str, Any]]
) -> Callable[..., Any]:
    """An ASGI wrapper that puts what it sees in the scope into a response header."""

    async def observer(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                value = json.dumps(seen(scope)).encode()
                message = {**message, "headers": [*message["headers"], (header.encode(), value)]}
            await send(message)

        await app(scope, receive, send_with_header)

    return observer


# --- the apps -----------------------------------------------------------------------------


def starlette_app(setup_first: bool, *, fastapi: bool) -> Any:
    """Routes ``/items/{n}`` and ``/fail/{n}``; auth, an ``http`` middleware, a 500 handler."""
    from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.requests import HTTPConnection, Request
    from starlette.responses import JSONResponse, Response

    from injectkit.integrations import fastapi as fastapi_adapter
    from injectkit.integrations import starlette as adapter

    class Backend(AuthenticationBackend):
        async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, SimpleUser]:
            return AuthCredentials(["user"]), SimpleUser(USER)

    async def on_500(request: Request, exc: Exception) -> Response:
        seen = starlette_seen(request.scope)
        try:
            seen["user"] = request.user.display_name
        except AssertionError as error:  # "AuthenticationMiddleware must be installed"
            seen["user"] = str(error)
        endpoint = request.scope.get("endpoint")
        seen["endpoint"] = getattr(endpoint, "__name__", None)
        return JSONResponse(seen, status_code=500)

    async def record_after_call_next(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["x-middleware"] = json.dumps(starlette_seen(request.scope))
        return response

    container = Container()
    container.register(Counter, Counter)
    if fastapi:
        from fastapi import FastAPI

        app: Any = FastAPI(exception_handlers={500: on_500})

        @app.get("/items/{n}")
        @fastapi_adapter.inject
        async def items(
            n: int, request: Request, counter: fastapi_adapter.FromContainer[Counter]
        ) -> Any:
            request.state.marker = f"set by the route {n}"
            return {"n": n * counter.n}

        @app.get("/fail/{n}")
        @fastapi_adapter.inject
        async def fail(
            n: int, request: Request, counter: fastapi_adapter.FromContainer[Counter]
        ) -> Any:
            request.state.marker = f"set by the route {n}"
            raise RuntimeError("the route failed")

        def middleware() -> None:
            app.add_middleware(AuthenticationMiddleware, backend=Backend())
            app.middleware("http")(record_after_call_next)

        setup = fastapi_adapter.setup
    else:
        from starlette.applications import Starlette
        from starlette.middleware.base import BaseHTTPMiddleware
        from starlette.routing import Route

        @adapter.inject
        async def items(n: int, request: Request, counter: Counter) -> Any:  # type: ignore[no-redef]
            request.state.marker = f"set by the route {n}"
            return JSONResponse({"n": n * counter.n})

        @adapter.inject
        async def fail(n: int, request: Request, counter: Counter) -> Any:  # type: ignore[no-redef]
            request.state.marker = f"set by the route {n}"
            raise RuntimeError("the route failed")

        app = Starlette(
            routes=[Route("/items/{n:int}", items), Route("/fail/{n:int}", fail)],
            exception_handlers={500: on_500},
        )

        def middleware() -> None:
            app.add_middleware(AuthenticationMiddleware, backend=Backend())
            app.add_middleware(BaseHTTPMiddleware, dispatch=record_after_call_next)

        setup = adapter.setup

    if setup_first:
        setup(app, container)
        middleware()
    else:
        middleware()
        setup(app, container)
    return observed_at_response_start(app, "x-outer", starlette_seen)


def litestar_app(setup_first: bool) -> Any:
    """The same app in Litestar: first = the plugin, last = ``setup()`` on the built app."""
    from litestar import Litestar, Request, Response, get
    from litestar.connection import ASGIConnection
    from litestar.middleware import (
        AbstractAuthenticationMiddleware,
        AuthenticationResult,
        DefineMiddleware,
    )
    from litestar.params import FromPath

    from injectkit.integrations import litestar as adapter

    class Auth(AbstractAuthenticationMiddleware):
        async def authenticate_request(
            self, connection: ASGIConnection[Any, Any, Any, Any]
        ) -> AuthenticationResult:
            return AuthenticationResult(user=USER, auth="token")

    def inner_middleware(app: Any) -> Any:
        return observed_at_response_start(app, "x-middleware", litestar_seen)

    def fail_after_auth(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            if "fail=middleware" in scope["query_string"].decode():
                raise RuntimeError("a middleware failed")
            await app(scope, receive, send)

        return middleware

    def on_500(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        seen = litestar_seen(request.scope)
        try:
            seen["user"] = request.user
        except Exception as error:  # ImproperlyConfiguredException: no user in scope
            seen["user"] = str(error)
        handler = request.scope.get("route_handler")
        seen["endpoint"] = getattr(getattr(handler, "fn", None), "__name__", None)
        return Response(seen, status_code=500)

    @get("/items/{n:int}")
    @adapter.inject
    async def items(
        n: FromPath[int], request: Request[Any, Any, Any], counter: adapter.FromContainer[Counter]
    ) -> Any:
        request.state.marker = f"set by the route {n}"
        return {"n": n * counter.n}

    @get("/fail/{n:int}")
    @adapter.inject
    async def fail(
        n: FromPath[int], request: Request[Any, Any, Any], counter: adapter.FromContainer[Counter]
    ) -> Any:
        request.state.marker = f"set by the route {n}"
        raise RuntimeError("the route failed")

    container = Container()
    container.register(Counter, Counter)
    plugins = [adapter.InjectKitPlugin(container)] if setup_first else []
    app = Litestar(
        [items, fail],
        middleware=[inner_middleware, DefineMiddleware(Auth), fail_after_auth],
        exception_handlers={500: on_500},
        plugins=plugins,
    )
    if not setup_first:
        adapter.setup(app, container)
    return observed_at_response_start(app, "x-outer", litestar_seen)


APPS: dict[str, Callable[[bool], Any]] = {
    "starlette": lambda first: starlette_app(first, fastapi=False),
    "fastapi": lambda first: starlette_app(first, fastapi=True),
    "litestar": litestar_app,
}


@contextmanager
def _served(app: Any) -> Iterator[httpx.AsyncClient]:
    with serve_asgi(app) as url:
        yield httpx.AsyncClient(base_url=url, timeout=TIMEOUT)


@asynccontextmanager
async def client_of(app: Any, transport: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client for ``app``: over TCP to uvicorn, or in-process through ASGITransport."""
    if transport == "uvicorn":
        with _served(app) as client:
            async with client:
                yield client
        return
    in_process = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=in_process, base_url="http://app") as client:
        yield client


def apps_set_up_first_and_last(*names: str) -> pytest.MarkDecorator:
    """Parametrize over ``framework`` (``names``) and ``setup_first`` (True, False)."""
    cases = [(name, first) for name in names for first in (True, False)]
    ids = [f"{name}-setup-{'first' if first else 'last'}" for name, first in cases]
    return pytest.mark.parametrize(("framework", "setup_first"), cases, ids=ids)


def expected_view(route: str, state: str | None, **endpoint: str) -> dict[str, Any]:
    """What outer code should see for ``GET <route with n=7>``."""
    return {"route": route, **endpoint, "path_params": {"n": "7"}, "state": state, "user": USER}


async def get(app: Any, transport: str, path: str, **params: str) -> httpx.Response:
    """``GET path`` from ``app`` through ``transport``."""
    async with client_of(app, transport) as client:
        return await client.get(path, params=params)


parametrize_transport = pytest.mark.parametrize("transport", ["uvicorn", "asgi-transport"])


@apps_set_up_first_and_last(*APPS)
@parametrize_transport
async def test_middleware_and_outer_wrappers_see_route_path_params_state_and_user(
    framework: str, setup_first: bool, transport: str, anyio_backend: str
) -> None:
    """Middleware after the route, and an ASGI wrapper around the app, see what routing wrote."""
    response = await get(APPS[framework](setup_first), transport, "/items/7")
    assert response.status_code == 200, response.text
    assert response.json() == {"n": 7}
    expected = expected_view(ROUTE[framework].format("items"), "set by the route 7")
    assert json.loads(response.headers["x-middleware"]) == expected
    assert json.loads(response.headers["x-outer"]) == expected


@apps_set_up_first_and_last("starlette", "fastapi")
@parametrize_transport
async def test_error_handler_for_500_sees_route_endpoint_path_params_state_and_user(
    framework: str, setup_first: bool, transport: str, anyio_backend: str
) -> None:
    """A 500 handler gets the failed route, its endpoint and path parameters, state and user."""
    response = await get(APPS[framework](setup_first), transport, "/fail/7")
    assert response.status_code == 500, response.text
    expected = expected_view(ROUTE[framework].format("fail"), "set by the route 7", endpoint="fail")
    assert response.json() == expected


@parametrize_transport
async def test_litestar_error_handler_sees_user_when_a_middleware_inside_the_plugin_fails(
    transport: str, anyio_backend: str
) -> None:
    """Litestar: a middleware's error reaches the app's 500 handler with the user auth set."""
    response = await get(litestar_app(True), transport, "/items/7", fail="middleware")
    assert response.status_code == 500, response.text
    assert response.json() == expected_view("/items/{n:int}", None, endpoint="items")


async def test_sub_app_with_its_own_container_gives_the_outer_request_back(
    anyio_backend: str,
) -> None:
    """A mounted sub-app's middleware puts the outer app's request back in the scope after."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    from injectkit.integrations.starlette import InjectKitMiddleware, get_scope, inject, setup

    outer_container, inner_container = Container(), Container()
    outer_container.register(str, lambda: "outer app")
    inner_container.register(str, lambda: "sub-app")
    seen: list[tuple[str, str]] = []

    @inject
    async def inner(request: Request) -> JSONResponse:
        seen.append(("handler", await get_scope(request).resolve(str)))
        return JSONResponse({"ok": True})

    sub_app = InjectKitMiddleware(Starlette(routes=[Route("/inner", inner)]), inner_container)

    def after_the_sub_app(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            await app(scope, receive, send)
            if scope["type"] == "http":
                seen.append(("after", await get_scope(scope).resolve(str)))

        return middleware

    app = Starlette(routes=[Mount("/sub", sub_app)])
    app.add_middleware(after_the_sub_app)
    setup(app, outer_container)
    response = await get(app, "asgi-transport", "/sub/inner")
    assert response.status_code == 200, response.text
    assert seen == [("handler", "sub-app"), ("after", "outer app")]
