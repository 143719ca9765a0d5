"""FastAPI: container providers in routes and ``Depends`` functions, next to FastAPI's own.

::

    from injectkit.integrations.fastapi import FromContainer, inject, provide, setup

    @app.post("/send-notification/{email}")
    @inject
    async def send_notification(
        email: str,                                     # FastAPI: a path parameter
        background_tasks: BackgroundTasks,              # injectkit's, shared per request
        q: Annotated[str | None, Depends(get_query)],   # injectkit's Depends
        db: FromContainer[Session],                     # registered in the container
    ) -> dict[str, str]: ...

    setup(app, container)

In a function decorated with :func:`inject` (a route, or a FastAPI dependency), a
parameter is injectkit's when it is marked for it: injectkit's ``Depends``, injectkit's
``BackgroundTasks``, or ``FromContainer[T]`` (a type resolved by the container).  Every
other parameter is FastAPI's, exactly as without ``inject``: path, query, body, header,
FastAPI's ``Depends``, ``Request``...  FastAPI's values are also offered by name to the
free parameters of injectkit's dependencies; a free parameter FastAPI does not fill is
read from the path, then the query (a bad value is FastAPI's usual 422); ``setup`` lists
those in ``app.openapi()`` with their type and default.  ``NotFromRequest[T]`` keeps one
out of the reading and the schema.

``provide(T)`` is a FastAPI dependency that gives the container's ``T``:
``db: Annotated[Session, fastapi.Depends(provide(Session))]`` works in any FastAPI
function, decorated or not.

:func:`setup` installs the same ASGI middleware as the Starlette adapter: a request scope
per request or WebSocket connection, closed after the response (injectkit's background
tasks, then finalizers), every injected route and dependency validated at startup, the
container's app scope closed at shutdown.  A route that returns a ``Response`` with its
own ``background=`` keeps the tasks added to FastAPI's ``BackgroundTasks`` too (FastAPI
alone would drop them), and injectkit's tasks are never attached to the response at all.
"""

from __future__ import annotations

import inspect
import threading
import typing
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from .. import Container
from .._aliases import unwrap_alias
from .._introspect import describe
from ._fastapi_validation import merge_validation_errors
from ._kernel import (
    Endpoints,
    FromContainer,
    InvalidParameters,
    caller_namespace,
    copy_names,
    mark_endpoint,
    missing_extra,
    provided_value_core,
    split_handler,
)
from ._openapi import add_parameters, openapi_parameters, path_parameter_names
from .starlette import HTTP_CONTEXT, InjectKitMiddleware, exchange_of, get_scope, walk_routes
from .starlette import setup as _starlette_setup

try:
    import fastapi
    from fastapi.exceptions import RequestValidationError
    from fastapi.routing import APIRoute
    from starlette.background import BackgroundTasks as StarletteBackgroundTasks
    from starlette.requests import HTTPConnection
    from starlette.responses import Response

    from ._fastapi_signature import check_fastapi_reads
except ImportError as error:  # pragma: no cover - exercised by the missing-extra test
    raise missing_extra("FastAPI", "fastapi", error) from error

__all__ = ["FromContainer", "InjectKitMiddleware", "get_scope", "inject", "provide", "setup"]

T = TypeVar("T")

SETUP_HINT = "call injectkit.integrations.fastapi.setup(app, container) before the app starts."
_CONNECTION = "injectkit_connection__"
_FASTAPI_TASKS = "injectkit_fastapi_tasks__"
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def setup(app: fastapi.FastAPI, container: Container) -> None:
    """Install :class:`InjectKitMiddleware` on a FastAPI app (before it starts), once;
    list in ``app.openapi()`` the parameters injected routes read from the request; and
    let a 422 for FastAPI's parameters list injectkit's bad ones too."""
    _starlette_setup(app, container)
    _document_request_parameters(app, container)
    merge_validation_errors(app, lambda route: walk_routes([route]))


def _document_request_parameters(app: fastapi.FastAPI, container: Container) -> None:
    """Wrap ``app.openapi``: the schema FastAPI generates, plus, per route, the free
    parameters of its injected functions that are read from the path or query (FastAPI
    does not see them).  Worked out once, when the schema is first generated."""
    generate = app.openapi
    endpoints = Endpoints(container, HTTP_CONTEXT)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        paths = schema.get("paths", {})
        for route in app.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            readers = [
                reader for _, mark in walk_routes([route]) for reader in endpoints.get(mark).fields
            ]
            if not readers:
                continue
            parameters = openapi_parameters(readers, path_parameter_names(route.path_format))
            for method in route.methods or ():
                operation = paths.get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    add_parameters(operation, parameters)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def inject(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Let injectkit fill the marked parameters of a FastAPI route or dependency.

    Put it under the route decorator (``@app.get(...)`` then ``@inject``).  FastAPI
    sees the function's own FastAPI parameters; injectkit fills the rest in the
    request's scope.  Sync functions run in a worker thread.
    """
    split = split_handler(handler, framework="FastAPI", namespace=caller_namespace(1))
    visible = list(split.visible)
    # FastAPI fills one parameter per special type: share the function's own, if any.
    connection_name = _named(visible, lambda tp: tp is HTTPConnection) or _CONNECTION
    tasks_name = (
        _named(visible, lambda tp: issubclass(tp, StarletteBackgroundTasks)) or _FASTAPI_TASKS
    )
    hidden = {connection_name, tasks_name} - split.visible_names
    check_fastapi_reads(split.name, visible)

    label = describe(split.handler)

    async def endpoint(**kwargs: Any) -> Any:
        connection: HTTPConnection = kwargs[connection_name]
        fastapi_tasks: StarletteBackgroundTasks = kwargs[tasks_name]
        for name in hidden:
            del kwargs[name]
        exchange = exchange_of(connection, setup_hint=SETUP_HINT, handler=label)
        prepared = exchange.endpoint(mark)
        try:
            values = prepared.read(
                ("path", connection.path_params), ("query", connection.query_params)
            )
        except InvalidParameters as bad:
            raise RequestValidationError([p.as_dict() for p in bad.problems]) from None
        values.update(kwargs)
        try:
            result = await prepared.run(exchange.scope, values)
        except BaseException as exc:
            exchange.error = exc
            raise
        if isinstance(result, Response) and result.background is not None and fastapi_tasks.tasks:
            # FastAPI keeps a response's own ``background`` and drops its BackgroundTasks.
            result.background = StarletteBackgroundTasks([result.background, *fastapi_tasks.tasks])
        return result

    copy_names(endpoint, split.handler)
    extra = [
        inspect.Parameter(_CONNECTION, _KEYWORD, annotation=HTTPConnection),
        inspect.Parameter(_FASTAPI_TASKS, _KEYWORD, annotation=fastapi.BackgroundTasks),
    ]
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*visible, *(p for p in extra if p.name in hidden)],
        return_annotation=split.return_annotation,
    )
    mark = mark_endpoint(
        endpoint, split.core, provided=split.visible_names, namespace=split.namespace
    )
    return endpoint


def _named(parameters: list[inspect.Parameter], test: Callable[[type], bool]) -> str | None:
    """The first parameter whose (unannotated) type passes ``test``."""
    for parameter in parameters:
        annotation = unwrap_alias(parameter.annotation)
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
        if isinstance(annotation, type) and test(annotation):
            return parameter.name
    return None


_provided: dict[Any, Callable[..., Any]] = {}
_provided_lock = threading.Lock()


def provide(tp: type[T]) -> Callable[..., Coroutine[Any, Any, T]]:
    """A FastAPI dependency giving the container's ``tp`` for this request.

    ``Annotated[Session, fastapi.Depends(provide(Session))]``; validated at startup like
    an injected route.
    """
    with _provided_lock:
        dependency = _provided.get(tp)
        if dependency is None:
            dependency = _provided[tp] = _make_provider(tp)
    return dependency


def _make_provider(tp: Any) -> Callable[..., Coroutine[Any, Any, Any]]:
    core = provided_value_core(tp, module=__name__)
    label = core.__name__

    async def dependency(**kwargs: Any) -> Any:
        exchange = exchange_of(kwargs[_CONNECTION], setup_hint=SETUP_HINT, handler=label)
        return await exchange.endpoint(mark).call(exchange.scope, {})

    dependency.__name__ = dependency.__qualname__ = core.__name__
    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(_CONNECTION, _KEYWORD, annotation=HTTPConnection)]
    )
    mark = mark_endpoint(dependency, core)
    return dependency
