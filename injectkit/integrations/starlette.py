"""Starlette, and any ASGI app: a request scope per HTTP request or WebSocket connection.

::

    from injectkit.integrations.starlette import inject, setup

    @inject
    async def send_notification(email: str, tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(write_log, f"notification for {email}\\n")
        return {"message": "Notification sent in the background"}

    app = Starlette(routes=[Route("/send-notification/{email}", send_notification,
                                  methods=["POST"])])
    setup(app, container)

:class:`InjectKitMiddleware` (what ``setup`` installs; wrap any other ASGI app with it
directly) opens a request scope for every ``http`` and ``websocket`` connection, with
the connection in its context as ``Request`` / ``WebSocket`` and ``HTTPConnection``,
and closes it when the app has finished with the connection: after the last body
message has been sent, or after the WebSocket has closed.  Background tasks run then,
then request finalizers.  A client that cuts a streamed body short changes nothing:
Starlette stops the stream and the app returns, so the tasks still run (as Starlette's
own ``background=`` does), then the finalizers.
On lifespan startup it validates every endpoint made by :func:`inject`; on shutdown it
ends the container's app scope.

An endpoint made by :func:`inject` takes its free parameters from the path parameters,
then the query string (converted to ``str``, ``int``, ``float``, ``bool``, an ``Enum``
or their optionals; a bad value is a 422 JSON response naming the parameter).  It
returns a ``Response`` as it is and anything else as JSON.  A handler that raises
(``HTTPException`` included) drops the request's background tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .. import Container, InjectionError, RequestScope
from .._introspect import call_kind, describe
from ._kernel import (
    SELF,
    EndpointMark,
    Endpoints,
    Exchange,
    InvalidParameters,
    already_set_up,
    copy_names,
    core_inject_in_fastapi,
    endpoint_of,
    is_core_injected,
    is_view_method,
    mark_endpoint,
    missing_extra,
    prepare_endpoints,
    require_container,
    require_function,
    serve_connection,
    serve_lifespan,
    view_class_marks,
    view_namespace,
)
from ._kernel import exchange_of as _kernel_exchange_of

try:
    from starlette.requests import HTTPConnection, Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import BaseRoute, Host, Mount, WebSocketRoute
    from starlette.status import WS_1008_POLICY_VIOLATION
    from starlette.types import ASGIApp, Receive, Scope, Send
    from starlette.websockets import WebSocket
except ImportError as error:  # pragma: no cover - exercised by the missing-extra test
    raise missing_extra("Starlette", "starlette", error) from error

__all__ = ["InjectKitMiddleware", "get_scope", "inject", "setup"]

HTTP_CONTEXT = (Request, HTTPConnection)
WEBSOCKET_CONTEXT = (WebSocket, HTTPConnection)
SETUP_HINT = (
    "call injectkit.integrations.starlette.setup(app, container) (or wrap the ASGI app "
    "in InjectKitMiddleware) before the app starts."
)


def get_scope(connection: HTTPConnection | Mapping[str, Any]) -> RequestScope:
    """The request scope of a Starlette ``Request``/``WebSocket`` or of an ASGI scope."""
    return exchange_of(connection).scope


def exchange_of(
    connection: HTTPConnection | Mapping[str, Any],
    *,
    setup_hint: str = SETUP_HINT,
    handler: str | None = None,
) -> Exchange:
    """The connection's :class:`~injectkit.integrations._kernel.Exchange`; without one,
    the InjectionError naming ``handler``, the route and ``setup_hint``."""
    asgi_scope = connection.scope if isinstance(connection, HTTPConnection) else connection
    return _kernel_exchange_of(asgi_scope, setup_hint=setup_hint, handler=handler)


def _routes_of(app: Any) -> list[Any]:
    routes = getattr(app, "routes", None)
    return list(routes) if routes is not None else []


def walk_routes(
    routes: Iterable[Any], core_injected: list[Callable[..., Any]] | None = None
) -> Iterator[tuple[bool, EndpointMark]]:
    """(is_websocket, mark) for every injected endpoint and dependency under ``routes``.

    Follows ``Mount``/``Host`` into sub-apps and routers, and FastAPI's dependency trees
    (``route.dependant``), so that injected FastAPI dependencies are validated too.
    Functions of those trees decorated with the core ``container.inject`` (FastAPI fills
    their parameters itself) are appended to ``core_injected``.
    """
    stack: list[Any] = list(routes)
    while stack:
        route = stack.pop()
        if isinstance(route, (Mount, Host)):
            stack.extend(_routes_of(route))
            continue
        is_websocket = isinstance(route, WebSocketRoute)
        endpoint = getattr(route, "endpoint", None)
        mark = endpoint_of(endpoint)
        if mark is not None:
            yield is_websocket, mark
        for mark in view_class_marks(endpoint):  # an HTTPEndpoint's get, post...
            yield is_websocket, mark
        dependants = [getattr(route, "dependant", None)]
        while dependants:
            dependant = dependants.pop()
            if dependant is None:
                continue
            call = getattr(dependant, "call", None)
            mark = endpoint_of(call)
            if mark is not None:
                yield is_websocket, mark
            elif core_injected is not None and callable(call) and is_core_injected(call):
                core_injected.append(call)
            dependants.extend(getattr(dependant, "dependencies", ()))


class InjectKitMiddleware:
    """ASGI middleware: a request scope per connection, the app scope per lifespan.

    ``routes`` (optional) returns the routes to validate at startup; by default they
    are found on the wrapped app, or on the app that Starlette puts in the scope.
    """

    def __init__(
        self,
        app: ASGIApp,
        container: Container,
        *,
        routes: Callable[[], Iterable[BaseRoute]] | None = None,
    ) -> None:
        self.app = app
        self.container = container
        self.routes = routes
        self.http_endpoints = Endpoints(container, HTTP_CONTEXT)
        self.websocket_endpoints = Endpoints(container, WEBSOCKET_CONTEXT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" or kind == "websocket":
            await self._connection(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # -- one request or WebSocket connection ---------------------------------------------

    async def _connection(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection: HTTPConnection
        if scope["type"] == "http":
            connection = Request(scope, receive, send)
            context: dict[Any, Any] = {Request: connection, HTTPConnection: connection}
            endpoints = self.http_endpoints
        else:
            connection = WebSocket(scope, receive, send)
            context = {WebSocket: connection, HTTPConnection: connection}
            endpoints = self.websocket_endpoints
        exchange = Exchange(self.container.request(context), connection, endpoints)
        await serve_connection(self.app, exchange, scope, receive, send)

    # -- the app's lifespan ----------------------------------------------------------------

    def startup(self, app: Any = None) -> int:
        """Validate and prepare every injected endpoint; returns how many there are."""
        if self.routes is not None:
            routes: list[Any] = list(self.routes())
        else:
            routes = _routes_of(self.app) or _routes_of(app)
        core_injected: list[Callable[..., Any]] = []
        marks = list(walk_routes(routes, core_injected))
        if core_injected:
            raise core_inject_in_fastapi(core_injected)
        return prepare_endpoints(
            (self.websocket_endpoints if websocket else self.http_endpoints, mark)
            for websocket, mark in marks
        )

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope.get("app")
        await serve_lifespan(
            self.app, self.container, lambda: self.startup(app), scope, receive, send
        )


def container_serving(app: Any, mark: EndpointMark) -> Container | None:
    """The container ``setup`` gave ``app``, if one of its routes runs ``mark``; else None.

    ``python -m injectkit`` asks this to solve a route in the container it was set up with.
    """
    for middleware in getattr(app, "user_middleware", ()):
        if getattr(middleware, "cls", None) is not InjectKitMiddleware:
            continue
        container = getattr(middleware, "kwargs", {}).get("container")
        if isinstance(container, Container) and any(
            found == mark for _, found in walk_routes(_routes_of(app))
        ):
            return container
    return None


def setup(app: Any, container: Container) -> None:
    """Install :class:`InjectKitMiddleware` on a Starlette app (before it starts), once."""
    # FastAPI's setup is this one: name the framework the user called it for.
    fastapi = any(type(arg).__module__.startswith("fastapi") for arg in (app, container))
    framework = "FastAPI" if fastapi else "Starlette"
    container = require_container(container, framework, app=app)
    # A second middleware would open a second, unrelated scope around every request.
    if any(m.cls is InjectKitMiddleware for m in getattr(app, "user_middleware", ())):
        raise already_set_up(f"this {framework} app")
    app.add_middleware(InjectKitMiddleware, container=container)


def inject(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Make a Starlette endpoint (``Route`` or ``WebSocketRoute``) of an injected handler.

    The handler's parameters are filled by the container, the request context
    (``Request``, ``WebSocket``, ``HTTPConnection``), ``BackgroundTasks``, and then the
    path and query.  Sync handlers run in a worker thread.
    """
    original = require_function(handler, "Starlette")
    kind = call_kind(original)
    if kind.has_finalizer:
        raise InjectionError(
            f"{describe(original)} is {kind.with_article} function and cannot be an endpoint.",
            path=(describe(original),),
            hint="use it as a provider (Depends or @container.provider) instead.",
        )

    label = describe(original)

    async def endpoint(connection: HTTPConnection, view: Any = None) -> Response | None:
        exchange = exchange_of(connection, handler=label)
        prepared = exchange.endpoint(mark)
        is_websocket = connection.scope["type"] == "websocket"
        try:
            values = prepared.read(
                ("path", connection.path_params), ("query", connection.query_params)
            )
        except InvalidParameters as bad:
            if isinstance(connection, WebSocket):
                await connection.close(WS_1008_POLICY_VIOLATION, str(bad)[:120])
                return None
            return JSONResponse(bad.body(), status_code=bad.status_code)
        if view is not None:  # a method of an HTTPEndpoint: its instance is `self`
            values[SELF] = view
        try:
            result = await prepared.run(exchange.scope, values)
            if is_websocket:
                return None
            return result if isinstance(result, Response) else JSONResponse(result)
        except BaseException as exc:
            exchange.error = exc
            raise

    if is_view_method(original):

        async def view_method(self: Any, connection: HTTPConnection) -> Response | None:
            return await endpoint(connection, self)

        copy_names(view_method, original)
        mark = mark_endpoint(view_method, original, (SELF,), namespace=view_namespace(1))
        return view_method
    copy_names(endpoint, original)
    mark = mark_endpoint(endpoint, original, depth=1)
    return endpoint
