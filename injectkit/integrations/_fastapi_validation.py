"""One 422 for a request whose FastAPI parameters and injectkit parameters are both bad.

FastAPI checks the parameters it reads before it calls a route, and raises its
``RequestValidationError`` with its own errors only: the route, where injectkit reads the
free parameters of its dependencies, is never called.  So the FastAPI adapter's ``setup``
puts a step in front of the app's handler for that exception: it reads the same request
as the route would and adds injectkit's errors, in FastAPI's own format, before the
handler sees the list.  The step wraps whichever handler the app has, also one
registered after ``setup``, because the app's handler table wraps what is put in it.

FastAPI is imported where it is used: the adapter kernel's modules import no framework
when they are imported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from .. import InjectionError
from ._asgi import SCOPE_KEY, Exchange
from ._endpoint import EndpointMark
from ._request_values import InvalidParameters

__all__ = ["merge_validation_errors"]

Marks = Callable[[Any], Iterable[tuple[bool, EndpointMark]]]
"""The injected endpoints and dependencies of a route (the Starlette adapter's walk)."""

_MERGES = "__injectkit_merges_validation_errors__"


def merge_validation_errors(app: Any, marks_of: Marks) -> None:
    """Make ``app``'s ``RequestValidationError`` handler, now and later, see injectkit's
    errors for the same request next to FastAPI's."""
    from fastapi.exception_handlers import request_validation_exception_handler
    from fastapi.exceptions import RequestValidationError

    class Handlers(dict[Any, Any]):
        """``app.exception_handlers``: the handler for RequestValidationError is wrapped."""

        def __setitem__(self, key: Any, handler: Any) -> None:
            if key is RequestValidationError:
                handler = _merging(handler, marks_of, RequestValidationError)
            super().__setitem__(key, handler)

    handlers = Handlers(app.exception_handlers)
    handlers[RequestValidationError] = app.exception_handlers.get(
        RequestValidationError, request_validation_exception_handler
    )
    app.exception_handlers = handlers


def _merging(handler: Any, marks_of: Marks, error_class: Any) -> Any:
    if getattr(handler, _MERGES, False):
        return handler
    from starlette.concurrency import run_in_threadpool

    async def merged(request: Any, exc: Any) -> Any:
        if isinstance(exc, error_class):
            exc = _with_injectkits(request, exc, marks_of, error_class)
        if inspect.iscoroutinefunction(handler):
            return await handler(request, exc)
        return await run_in_threadpool(handler, request, exc)  # as Starlette calls it

    setattr(merged, _MERGES, True)
    return merged


def _with_injectkits(request: Any, exc: Any, marks_of: Marks, error_class: Any) -> Any:
    """``exc``, or a copy whose errors also hold injectkit's for this request (once)."""
    extra = _injectkit_errors(request, marks_of)
    if not extra:
        return exc
    errors = list(exc.errors())
    seen = {(tuple(error.get("loc", ())), error.get("type")) for error in errors}
    new = []
    for error in extra:  # one per parameter, however many dependencies read it
        key = (tuple(error["loc"]), error["type"])
        if key not in seen:
            seen.add(key)
            new.append(error)
    if not new:  # the route's own 422: injectkit's errors only, already there
        return exc
    options: dict[str, Any] = {"body": getattr(exc, "body", None)}
    context = getattr(exc, "endpoint_ctx", None)
    if context is not None:
        options["endpoint_ctx"] = context
    return error_class([*errors, *new], **options)


def _injectkit_errors(request: Any, marks_of: Marks) -> list[dict[str, Any]]:
    """What injectkit's reading of the request's path and query finds wrong, for the
    route's injected endpoint and dependencies (nothing if the route has none)."""
    scope = request.scope
    exchange = scope.get(SCOPE_KEY)
    route = scope.get("route")
    if not isinstance(exchange, Exchange) or route is None:
        return []
    errors: list[dict[str, Any]] = []
    marks = {id(mark): mark for _, mark in marks_of(route)}  # the endpoint comes twice
    for mark in marks.values():
        try:
            exchange.endpoint(mark).read(
                ("path", request.path_params), ("query", request.query_params)
            )
        except InvalidParameters as bad:
            errors.extend(problem.as_dict() for problem in bad.problems)
        except InjectionError:  # a broken graph: the route's own call reports it
            continue
    return errors
