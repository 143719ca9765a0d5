"""ASGI: a request scope per connection, closed after the response; the app scope per lifespan.

An ASGI adapter keeps one :class:`Exchange` per HTTP request or WebSocket connection in
the ASGI scope (under :data:`SCOPE_KEY`); :func:`serve_connection` opens its request scope
around the app and closes it when the app has finished with the connection (the last body
message handed to the server, the WebSocket closed, or the client gone), so the tasks run
after the response.  :func:`serve_lifespan` validates the endpoints before the app's own
startup and ends the container's app scope after its shutdown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from .. import Container, InjectionError, RequestScope
from ._endpoint import Endpoint, EndpointMark, Endpoints
from ._setup_checks import never_set_up

__all__ = ["SCOPE_KEY", "Exchange", "exchange_of", "ASGIApp", "serve_connection", "serve_lifespan"]


SCOPE_KEY = "injectkit"
"""The ASGI scope key under which an adapter keeps the connection's :class:`Exchange`."""


class Exchange:
    """One HTTP request or WebSocket connection, as an ASGI adapter keeps it.

    ``scope``: its request scope; ``connection``: the framework's request object that
    the context holds; ``endpoints``: where its endpoints are prepared; ``error``: the
    exception a handler raised, which drops the tasks even if the framework turned it
    into a response.
    """

    __slots__ = ("connection", "endpoints", "error", "scope")

    def __init__(self, scope: RequestScope, connection: Any, endpoints: Endpoints) -> None:
        self.scope = scope
        self.connection = connection
        self.endpoints = endpoints
        self.error: BaseException | None = None

    def endpoint(self, mark: EndpointMark) -> Endpoint:
        return self.endpoints.get(mark)


def exchange_of(
    asgi_scope: Mapping[str, Any], *, setup_hint: str, handler: str | None = None
) -> Exchange:
    """The connection's :class:`Exchange`; if none, the app was never set up: an
    InjectionError naming ``handler`` and the route, with ``setup_hint`` (the adapter's
    own ``setup`` call) as its fix."""
    exchange = asgi_scope.get(SCOPE_KEY)
    if not isinstance(exchange, Exchange):
        raise not_set_up(asgi_scope, setup_hint, handler)
    return exchange


def not_set_up(
    asgi_scope: Mapping[str, Any], setup_hint: str, handler: str | None
) -> InjectionError:
    """The error of an injected endpoint reached on an app without injectkit's middleware."""
    # The route's template: Starlette's and FastAPI's route, Litestar's path_template.
    template = getattr(asgi_scope.get("route"), "path", None) or asgi_scope.get("path_template")
    route = f"{asgi_scope.get('method', 'WEBSOCKET')} {template or asgi_scope.get('path', '?')}"
    missing = "no injectkit request scope is open: this app's injectkit setup() was not called"
    return never_set_up(missing, route, handler, setup_hint)


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


async def serve_connection(
    app: ASGIApp,
    exchange: Exchange,
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Any]],
    send: Callable[[Any], Awaitable[None]],
) -> None:
    """Run ``app`` for one connection inside ``exchange.scope``; close it afterwards.

    ``exchange`` goes into ``scope`` itself, under :data:`SCOPE_KEY`: the server's scope
    is the connection's own dict, and the app works on it rather than on a copy, so that
    what the router and inner middleware write there (the route, path parameters,
    ``state``, ``user``) reaches the middleware and error handlers outside this one.  An
    outer injectkit middleware's exchange (a sub-app with its own container) is put back
    when ``app`` returns.  When ``app`` returns, the last body message has been handed to
    the server, the WebSocket has closed, or the client left mid-body and the app stopped
    sending: that is "after the response", so the tasks run then (unless the handler
    raised), then the finalizers.
    """
    outer = scope.get(SCOPE_KEY)
    scope[SCOPE_KEY] = exchange
    request_scope = exchange.scope
    await request_scope.__aenter__()
    try:
        await app(scope, receive, send)
    except BaseException as exc:
        error = await request_scope.aclose(exc)
        if error is None or error is exc:
            raise
        raise error from exc  # a finalizer failed while handling exc
    finally:
        if outer is not None:
            scope[SCOPE_KEY] = outer
    handled = exchange.error
    error = await request_scope.aclose(handled)
    if error is not None and error is not handled:
        raise error


async def serve_lifespan(
    app: ASGIApp,
    container: Container,
    startup: Callable[[], Any],
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Any]],
    send: Callable[[Any], Awaitable[None]],
) -> None:
    """The ASGI lifespan around ``app``: ``startup()`` first, ``container.aclose()`` last.

    A startup error (a broken graph) is sent as ``lifespan.startup.failed`` before the
    app's own startup runs.  The container closes after the app's own shutdown.  An app
    that does not speak the lifespan protocol (raises before reading a message) gets it
    spoken for the container alone.
    """
    first = await receive()
    try:
        startup()
    except InjectionError as exc:
        await send({"type": "lifespan.startup.failed", "message": str(exc)})
        raise
    received = False
    answered = False
    closed = False

    async def app_receive() -> Any:
        nonlocal received
        if not received:
            received = True
            return first
        return await receive()

    async def app_send(message: Any) -> None:
        nonlocal answered, closed
        answered = True
        if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            closed = True
            try:
                await container.aclose()
            except Exception as exc:
                if message["type"] == "lifespan.shutdown.complete":
                    message = {"type": "lifespan.shutdown.failed", "message": repr(exc)}
        await send(message)

    try:
        await app(scope, app_receive, app_send)
    except BaseException:
        if received or answered:
            raise
        await send({"type": "lifespan.startup.complete"})
        await receive()
        closed = True
        await container.aclose()
        await send({"type": "lifespan.shutdown.complete"})
    finally:
        if not closed:
            await container.aclose()
