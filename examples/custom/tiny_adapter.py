"""An injectkit adapter for a tiny ASGI framework, built on the adapter kernel.

The framework (``TinyApp``) routes a path to ``handler(request)`` and sends what the
handler returns as JSON.  The adapter is an ASGI middleware plus an ``inject``
decorator, and takes the four steps every adapter takes:

1. at startup, prepare (validate) every injected handler: a broken graph stops here;
2. per request, open a request scope with the request object in its context;
3. call the handler in that scope with the values read from the request;
4. close the scope after the response has been sent: tasks, then finalizers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from injectkit import Container, RequestScope
from injectkit.integrations import (
    Endpoints,
    InvalidParameters,
    endpoint_of,
    mark_endpoint,
    prepare_endpoints,
)

# --- the framework ------------------------------------------------------------------------


class TinyRequest:
    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.path: str = scope["path"]
        self.query = dict(parse_qsl(scope["query_string"].decode()))


Handler = Callable[[TinyRequest], Awaitable[tuple[int, Any]]]


class TinyApp:
    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        status, body = await self.routes[scope["path"]](TinyRequest(scope))
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


# --- the adapter --------------------------------------------------------------------------


class _Exchange:
    """What the middleware hands the endpoint through the ASGI scope."""

    def __init__(self, scope: RequestScope, endpoints: Endpoints) -> None:
        self.scope = scope
        self.endpoints = endpoints
        self.error: BaseException | None = None


def inject(handler: Callable[..., Any]) -> Handler:
    """Make a TinyApp handler of a function whose parameters injectkit fills."""

    async def endpoint(request: TinyRequest) -> tuple[int, Any]:
        exchange: _Exchange = request.scope["injectkit"]
        prepared = exchange.endpoints.get(mark)
        try:
            values = prepared.read(("query", request.query))  # 3. free parameters...
        except InvalidParameters as bad:
            return bad.status_code, bad.body()  # a 422 naming the parameter
        try:
            return 200, await prepared.run(exchange.scope, values)  # ...and the call
        except BaseException as exc:
            exchange.error = exc  # the request failed: its tasks are dropped
            raise

    mark = mark_endpoint(endpoint, handler)
    return endpoint


class InjectMiddleware:
    def __init__(self, app: TinyApp, container: Container) -> None:
        self.app = app
        self.container = container
        self.endpoints = Endpoints(container, context_types=[TinyRequest])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        request = TinyRequest(scope)
        exchange = _Exchange(self.container.request({TinyRequest: request}), self.endpoints)
        await exchange.scope.__aenter__()  # 2. a scope for this request
        try:
            await self.app({**scope, "injectkit": exchange}, receive, send)
        except BaseException as exc:
            error = await exchange.scope.aclose(exc)  # 4. finalizers see the error
            raise (error or exc) from None
        # The app has returned, so the body has been sent: 4. tasks, then finalizers.
        error = await exchange.scope.aclose(exchange.error)
        if error is not None and error is not exchange.error:
            raise error

    async def lifespan(self, receive: Any, send: Any) -> None:
        await receive()  # lifespan.startup
        marks = [endpoint_of(handler) for handler in self.app.routes.values()]
        try:
            prepare_endpoints((self.endpoints, m) for m in marks if m is not None)  # 1.
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await self.container.aclose()  # app-scoped finalizers
        await send({"type": "lifespan.shutdown.complete"})
