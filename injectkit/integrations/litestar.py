"""Litestar: a plugin that gives every request and WebSocket connection a request scope.

::

    from injectkit.integrations.litestar import FromContainer, InjectKitPlugin, inject

    @post("/send-notification/{email:str}")
    @inject
    async def send_notification(
        email: str,                                     # Litestar: a path parameter
        background_tasks: BackgroundTasks,              # injectkit's, shared per request
        q: Annotated[str | None, Depends(get_query)],   # injectkit's Depends
        log: FromContainer[NotificationLog],            # registered in the container
    ) -> dict[str, str]: ...

    app = Litestar([send_notification], plugins=[InjectKitPlugin(container)])

:class:`InjectKitPlugin` adds :class:`InjectKitMiddleware` (outermost), which opens a
request scope per connection with the connection in its context (``Request`` or
``WebSocket``, and ``ASGIConnection``) and closes it once the response has been sent (or
the WebSocket has closed): injectkit's background tasks, then finalizers.  Its startup
hook validates every injected handler and dependency (a broken graph stops start-up);
its shutdown hook ends the container's app scope.  ``setup(app, container)`` does the
same for an app that already exists.

As with FastAPI, in a function decorated with :func:`inject`, parameters marked for
injectkit (injectkit's ``Depends``, ``BackgroundTasks``, ``FromContainer[T]``) are
injectkit's and every other one is Litestar's (path, query, ``data``, ``request``,
Litestar dependencies...).  A free parameter of an injectkit dependency that Litestar
does not fill is read from the path, then the query; a bad value is Litestar's usual
400 ``ValidationException``.  The plugin lists those in the OpenAPI schema with their
type and default (``NotFromRequest[T]`` keeps one out of the reading and the schema).
``Provide(provide(T))`` is a Litestar dependency giving the container's ``T``.  A
handler that raises drops the request's background tasks.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from .. import Container, RequestScope
from .._introspect import describe
from ._kernel import (
    EndpointMark,
    Endpoints,
    Exchange,
    FromContainer,
    InvalidParameters,
    already_set_up,
    caller_namespace,
    copy_names,
    endpoint_of,
    mark_endpoint,
    missing_extra,
    prepare_endpoints,
    provided_value_core,
    require_container,
    serve_connection,
    split_handler,
)
from ._kernel import exchange_of as _kernel_exchange_of
from ._openapi import openapi_parameters, path_parameter_names

try:
    from litestar import Litestar, Request, WebSocket
    from litestar.config.app import AppConfig
    from litestar.connection import ASGIConnection
    from litestar.enums import ScopeType
    from litestar.exceptions import ValidationException
    from litestar.handlers import HTTPRouteHandler
    from litestar.middleware import DefineMiddleware
    from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
    from litestar.plugins import InitPluginProtocol, ReceiveRoutePlugin
    from litestar.routes import BaseRoute, HTTPRoute
    from litestar.types import ASGIApp, Receive, Scope, Send
except ImportError as error:  # pragma: no cover - exercised by the missing-extra test
    raise missing_extra("Litestar", "litestar", error) from error

__all__ = [
    "FromContainer",
    "InjectKitMiddleware",
    "InjectKitPlugin",
    "get_scope",
    "inject",
    "provide",
    "setup",
]

T = TypeVar("T")

_SCOPE = "scope"  # Litestar's reserved keyword for the ASGI scope, in handlers and dependencies
_KEYWORD = inspect.Parameter.KEYWORD_ONLY
HTTP_CONTEXT = (Request, ASGIConnection)
WEBSOCKET_CONTEXT = (WebSocket, ASGIConnection)
SETUP_HINT = (
    "add InjectKitPlugin(container) to the app's plugins (or call "
    "injectkit.integrations.litestar.setup(app, container)) before the app starts."
)


class _Registries:
    """The prepared endpoints of one container, for HTTP and for WebSocket handlers."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.http = Endpoints(container, HTTP_CONTEXT)
        self.websocket = Endpoints(container, WEBSOCKET_CONTEXT)


def get_scope(connection: ASGIConnection[Any, Any, Any, Any] | Mapping[str, Any]) -> RequestScope:
    """The request scope of a Litestar ``Request``/``WebSocket`` or of an ASGI scope."""
    return exchange_of(connection).scope


def exchange_of(
    connection: ASGIConnection[Any, Any, Any, Any] | Mapping[str, Any], handler: str | None = None
) -> Exchange:
    asgi_scope = connection.scope if isinstance(connection, ASGIConnection) else connection
    return _kernel_exchange_of(asgi_scope, setup_hint=SETUP_HINT, handler=handler)


class InjectKitMiddleware:
    """ASGI middleware: a request scope per HTTP request or WebSocket connection."""

    def __init__(self, app: ASGIApp, container: Container, registries: _Registries) -> None:
        self.app = app
        self.container = container
        self.registries = registries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection: ASGIConnection[Any, Any, Any, Any]
        if scope["type"] == ScopeType.HTTP:
            connection = Request(scope, receive, send)
            context: dict[Any, Any] = {Request: connection, ASGIConnection: connection}
            endpoints = self.registries.http
        else:
            connection = WebSocket(scope, receive, send)
            context = {WebSocket: connection, ASGIConnection: connection}
            endpoints = self.registries.websocket
        exchange = Exchange(self.container.request(context), connection, endpoints)
        await serve_connection(self.app, exchange, scope, receive, send)  # type: ignore[arg-type]


def _handlers(app: Litestar) -> Iterator[tuple[bool, Any]]:
    """(is_websocket, callable) for every route handler and dependency of ``app``."""
    for route in app.routes:
        handlers = list(getattr(route, "route_handlers", ()) or ())
        single = getattr(route, "route_handler", None)
        if single is not None:
            handlers.append(single)
        is_websocket = type(route).__name__ == "WebSocketRoute"
        for handler in handlers:
            yield is_websocket, getattr(handler, "fn", None)
            for provide_ in handler.resolve_dependencies().values():
                yield is_websocket, getattr(provide_, "dependency", None)


class InjectKitPlugin(InitPluginProtocol, ReceiveRoutePlugin):
    """``Litestar(..., plugins=[InjectKitPlugin(container)])``."""

    def __init__(self, container: Container) -> None:
        self.container = require_container(container, "Litestar", call="InjectKitPlugin(container)")
        self.registries = _Registries(container)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        middleware = DefineMiddleware(
            InjectKitMiddleware, container=self.container, registries=self.registries
        )
        app_config.middleware.insert(0, middleware)
        app_config.on_startup.insert(0, self.on_startup)
        app_config.on_shutdown.append(self.on_shutdown)
        return app_config

    def on_startup(self, app: Litestar) -> None:
        """Validate and prepare every injected handler and dependency."""
        work: list[tuple[Endpoints, EndpointMark]] = []
        for is_websocket, fn in _handlers(app):
            mark = endpoint_of(fn)
            if mark is not None:
                registry = self.registries.websocket if is_websocket else self.registries.http
                work.append((registry, mark))
        prepare_endpoints(work)

    async def on_shutdown(self) -> None:
        await self.container.aclose()

    def receive_route(self, route: BaseRoute) -> None:
        """List in the OpenAPI schema what the route's injected functions read from the
        request (Litestar does not see those parameters)."""
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                _document_request_parameters(handler, self.registries.http)


def setup(app: Litestar, container: Container) -> InjectKitPlugin:
    """Give an existing app what :class:`InjectKitPlugin` gives a new one."""
    container = require_container(container, "Litestar", app=app)
    # A second middleware would open a second, unrelated scope around every request.
    if isinstance(app.asgi_handler, InjectKitMiddleware) or any(
        isinstance(p, InjectKitPlugin) for p in app.plugins.init
    ):
        raise already_set_up("this Litestar app")
    plugin = InjectKitPlugin(container)
    app.asgi_handler = InjectKitMiddleware(app.asgi_handler, container, plugin.registries)
    app.on_startup.insert(0, plugin.on_startup)
    app.on_shutdown.append(plugin.on_shutdown)
    for route in app.routes:
        plugin.receive_route(route)
    return plugin


_DOCUMENTED = "__injectkit_documented__"


def _document_request_parameters(handler: HTTPRouteHandler, endpoints: Endpoints) -> None:
    """Give ``handler`` an Operation class that appends, when the schema is generated,
    the parameters its injected functions read from the request."""
    base = handler.operation_class
    if getattr(base, _DOCUMENTED, False):
        return

    def __init__(operation: Operation, *args: Any, **kwargs: Any) -> None:
        base.__init__(operation, *args, **kwargs)
        extra = _request_parameters(handler, endpoints)
        listed = list(operation.parameters or ())
        present = {(p.name, p.param_in) for p in listed if isinstance(p, Parameter)}
        added = [p for p in extra if (p.name, p.param_in) not in present]
        if added:
            operation.parameters = [*listed, *added]

    handler.operation_class = type(
        base.__name__, (base,), {"__init__": __init__, _DOCUMENTED: True}
    )


def _request_parameters(handler: HTTPRouteHandler, endpoints: Endpoints) -> list[Parameter]:
    """What ``handler`` and its injected dependencies read from the request."""
    callables = [handler.fn, *(p.dependency for p in handler.resolve_dependencies().values())]
    marks = [mark for mark in map(endpoint_of, callables) if mark is not None]
    readers = [reader for mark in marks for reader in endpoints.get(mark).fields]
    path_names = path_parameter_names(*handler.paths)
    return [
        Parameter(
            name=found["name"],
            param_in=found["in"],
            schema=_litestar_schema(found["schema"]),
            description=found["description"],
            required=found["required"],
        )
        for found in openapi_parameters(readers, path_names)
    ]


def _litestar_schema(schema: dict[str, Any]) -> Schema:
    """The JSON schema of :func:`openapi_parameters` as Litestar's ``Schema`` (an optional
    is ``oneOf`` with ``null`` there)."""
    options = schema.get("anyOf")
    return Schema(
        type=OpenAPIType(schema["type"]) if "type" in schema else None,
        enum=schema.get("enum"),
        one_of=[_litestar_schema(option) for option in options] if options else None,
        default=schema.get("default"),
    )


def _invalid(bad: InvalidParameters, connection: Any) -> ValidationException:
    extra = [{"message": p.message, "key": p.name, "source": p.source} for p in bad.problems]
    method = getattr(connection, "method", "WEBSOCKET")
    return ValidationException(
        detail=f"Validation failed for {method} {connection.url}", extra=extra
    )


def inject(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Let injectkit fill the marked parameters of a Litestar handler or dependency.

    Put it under the route decorator (``@get(...)`` then ``@inject``).  Litestar sees
    the function's own Litestar parameters; injectkit fills the rest in the request's
    scope.  Sync functions run in a worker thread.
    """
    split = split_handler(handler, framework="Litestar", namespace=caller_namespace(1))
    hide_scope = _SCOPE not in split.visible_names
    label = describe(split.handler)

    async def endpoint(**kwargs: Any) -> Any:
        asgi_scope = kwargs.pop(_SCOPE) if hide_scope else kwargs[_SCOPE]
        exchange = exchange_of(asgi_scope, label)
        prepared = exchange.endpoint(mark)
        try:
            values = prepared.read(
                ("path", asgi_scope.get("path_params") or {}),
                ("query", exchange.connection.query_params),
            )
        except InvalidParameters as bad:
            raise _invalid(bad, exchange.connection) from None
        values.update(kwargs)
        try:
            return await prepared.run(exchange.scope, values)
        except BaseException as exc:
            exchange.error = exc
            raise

    parameters = list(split.visible)
    if hide_scope:
        parameters.append(inspect.Parameter(_SCOPE, _KEYWORD, annotation=Scope))
    _give_signature(endpoint, split.handler, parameters, split.return_annotation)
    mark = mark_endpoint(
        endpoint, split.core, provided=split.visible_names, namespace=split.namespace
    )
    return endpoint


def _give_signature(
    wrapper: Any, original: Any, parameters: Iterable[inspect.Parameter], returns: Any
) -> None:
    """Litestar reads ``__signature__`` for names and ``__annotations__`` for types."""
    parameters = list(parameters)
    copy_names(wrapper, original)
    wrapper.__signature__ = inspect.Signature(parameters, return_annotation=returns)
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    wrapper.__annotations__["return"] = returns


_provided: dict[Any, Callable[..., Any]] = {}
_provided_lock = threading.Lock()


def provide(tp: type[T]) -> Callable[..., Coroutine[Any, Any, T]]:
    """A Litestar dependency giving the container's ``tp``: ``Provide(provide(Session))``."""
    with _provided_lock:
        dependency = _provided.get(tp)
        if dependency is None:
            dependency = _provided[tp] = _make_provider(tp)
    return dependency


def _make_provider(tp: Any) -> Callable[..., Coroutine[Any, Any, Any]]:
    core = provided_value_core(tp, module=__name__)
    label = core.__name__

    async def dependency(**kwargs: Any) -> Any:
        exchange = exchange_of(kwargs[_SCOPE], label)
        return await exchange.endpoint(mark).call(exchange.scope, {})

    _give_signature(dependency, core, [inspect.Parameter(_SCOPE, _KEYWORD, annotation=Scope)], tp)
    mark = mark_endpoint(dependency, core)
    return dependency
