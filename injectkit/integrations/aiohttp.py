"""aiohttp adapter: a middleware that scopes each request, and ``inject`` for handlers.

::

    from injectkit.integrations.aiohttp import inject, setup

    @routes.post("/send-notification/{email}")
    @inject
    async def send_notification(email: str, tasks: BackgroundTasks) -> web.Response: ...

    setup(app, container)

How a request goes:

- ``setup`` puts a middleware first in ``app.middlewares`` (the outermost) and adds a
  cleanup context that validates every injected handler on startup (a broken graph
  stops ``AppRunner.setup()`` / ``web.run_app`` with the InjectionError) and closes the
  container on cleanup, so app-scoped finalizers run on shutdown.
- The request scope is opened on first use (an injected handler, or :func:`get_scope`)
  with the ``web.Request`` in its context: a parameter annotated ``web.Request`` (or
  ``web.BaseRequest``) receives it.
- Free parameters are read from ``request.match_info``, then ``request.query``, and
  converted to ``str``, ``int``, ``float``, ``bool`` (or an ``Enum``, or an optional of
  these); a bad value is answered with a 422 JSON body naming the parameter.
- aiohttp has no hook for "the response has been sent", so when a request opened a
  scope the middleware sends the response itself (``await response.prepare(request)``
  then ``await response.write_eof()``; aiohttp's own later calls then find nothing to
  do) and only then closes the scope: background tasks in order, then the request
  finalizers.
  Middlewares that run *outside* this one (inserted before it later) see a response
  that has already been sent.  The connection serves its next request after that.
- If the handler raised (an ``HTTPException`` of status 400 or more too), its tasks are
  dropped and the exception is thrown into the finalizers; aiohttp then answers as it
  always does.  ``raise web.HTTPFound(...)`` (or another status below 400) is aiohttp's
  way to return a redirect, so it counts as a success.  A client that goes away while
  the response is written does not drop the tasks: the handler succeeded.  With
  ``handler_cancellation=True`` a disconnect cancels the handler; the finalizers still
  run.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from .. import Container, InjectionError, RequestScope
from .._introspect import CallKind, call_kind, describe
from ._kernel import (
    SELF,
    EndpointMark,
    Endpoints,
    InvalidParameters,
    already_set_up,
    app_lifespan,
    check_route_variables,
    endpoint_of,
    is_view_method,
    mark_endpoint,
    missing_extra,
    never_set_up,
    prepare_endpoints,
    require_container,
    require_function,
    view_class_marks,
    view_namespace,
)

try:
    from aiohttp import web
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise missing_extra("aiohttp", "aiohttp", error) from None

__all__ = ["get_scope", "inject", "setup"]

logger = logging.getLogger("injectkit")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_REQUEST_TYPES: tuple[type, ...] = (web.Request, web.BaseRequest)


class _Binding:
    """What ``setup`` ties to one app: the container and its prepared endpoints."""

    __slots__ = ("container", "endpoints")

    def __init__(self, container: Container, endpoints: Endpoints) -> None:
        self.container = container
        self.endpoints = endpoints


class _RequestState:
    """One request: its scope, opened on first use, closed by the middleware."""

    __slots__ = ("binding", "finished", "request", "scope")

    def __init__(self, binding: _Binding, request: web.Request) -> None:
        self.binding = binding
        self.request = request
        self.scope: RequestScope | None = None
        self.finished = False

    async def open(self) -> RequestScope:
        scope = self.scope
        if scope is None:
            if self.finished:
                raise InjectionError(
                    "The request scope was asked for after the handler had returned, and "
                    "nothing would close it.",
                    hint="call get_scope(request) (or an injected function) in the handler.",
                )
            scope = self.binding.container.request(dict.fromkeys(_REQUEST_TYPES, self.request))
            await scope.__aenter__()
            self.scope = scope
        return scope

    async def finish(self, exc: BaseException | None) -> BaseException | None:
        """Close the scope; return a new exception it ended with, if any."""
        self.finished = True
        scope, self.scope = self.scope, None
        if scope is None:
            return None
        ended = await scope.aclose(exc)
        return ended if ended is not None and ended is not exc else None


_BINDING = web.AppKey("injectkit.binding", _Binding)
_STATE: Any = (
    web.RequestKey("injectkit.request", _RequestState)  # aiohttp >= 3.12
    if hasattr(web, "RequestKey")
    else "injectkit.request"
)


async def _fail(state: _RequestState, exc: BaseException) -> None:
    """The handler raised: close the scope with ``exc`` (tasks dropped, finalizers see it)."""
    ended = await state.finish(exc)
    if ended is not None:
        raise ended from exc


async def _send_then_close(
    request: web.Request, response: web.StreamResponse, state: _RequestState
) -> None:
    """Send the whole response, then close the scope: tasks, then finalizers."""
    if state.scope is None:
        state.finished = True
        return
    try:
        await response.prepare(request)
        await response.write_eof()
        # aiohttp calls prepare() and write_eof() again after the middlewares: the base
        # class's versions see a finished response and do nothing, but a subclass's
        # prepare() (FileResponse's) would send the response a second time.
        response.prepare = functools.partial(web.StreamResponse.prepare, response)  # type: ignore[method-assign]
    except ConnectionError:
        logger.debug("the client went away while the response was being sent")
    except BaseException as exc:  # cancelled, or an on_response_prepare signal raised
        await _fail(state, exc)
        raise
    ended = await state.finish(None)
    if ended is not None:
        if not isinstance(ended, Exception):
            raise ended  # cancelled while the tasks ran
        # The response is out: raising would make aiohttp write a second one.
        logger.error("a request finalizer failed after the response was sent", exc_info=ended)


def _scope_middleware(binding: _Binding) -> Any:
    @web.middleware
    async def injectkit_scope(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        state = _RequestState(binding, request)
        request[_STATE] = state
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status >= 400:
                await _fail(state, exc)
                raise
            # `raise web.HTTPFound(...)` is how aiohttp handlers redirect: a success.
            await _send_then_close(request, exc, state)
            raise
        except BaseException as exc:
            await _fail(state, exc)
            raise
        await _send_then_close(request, response, state)
        return response

    return injectkit_scope


def _state_of(request: web.BaseRequest, handler: str | None = None) -> _RequestState:
    state = request.get(_STATE)
    if not isinstance(state, _RequestState):
        resource = request.match_info.route.resource if isinstance(request, web.Request) else None
        path = resource.canonical if resource is not None else request.path
        raise never_set_up(
            "this aiohttp app has no injectkit container: its setup() was not called",
            f"{request.method} {path}",
            handler,
            "call injectkit.integrations.aiohttp.setup(app, container) when creating the app.",
        )
    return state


async def get_scope(request: web.BaseRequest) -> RequestScope:
    """The request scope of ``request``, opened if need be; closed after the response.

    ``(await get_scope(request)).call(func)`` runs ``func`` with injection in this request.
    """
    return await _state_of(request).open()


def inject(handler: Callable[..., Awaitable[web.StreamResponse]]) -> Handler:
    """Decorator for aiohttp handlers: fill the handler's parameters from the container.

    The result is an aiohttp handler (it takes the request).  The handler itself takes
    whatever it needs: injected values, ``web.Request`` by annotation, and free
    parameters read from the path, then the query.
    """
    original = require_function(handler, "aiohttp")
    kind = call_kind(original)
    if kind is not CallKind.ASYNC:
        raise InjectionError(
            f"{describe(original)} is {kind.with_article} function, but aiohttp handlers are "
            "`async def` functions.",
            path=(describe(original),),
            hint="define the handler with `async def`.",
        )
    name = describe(original)
    mark: EndpointMark

    @functools.wraps(original)
    async def endpoint(request: web.Request, view: Any = None) -> web.StreamResponse:
        state = _state_of(request, name)
        prepared = state.binding.endpoints.get(mark)
        try:
            values = prepared.read(("path", request.match_info), ("query", request.query))
        except InvalidParameters as bad:
            return web.json_response(bad.body(), status=bad.status_code)
        if view is not None:  # a method of a web.View: its instance is `self`
            values[SELF] = view
        result = await prepared.call(await state.open(), values)
        if not isinstance(result, web.StreamResponse):
            raise InjectionError(
                f"{name} returned {type(result).__name__}, but an aiohttp handler returns "
                "a response.",
                path=(name,),
                hint="return web.json_response(...) or another web.StreamResponse.",
            )
        return result

    if is_view_method(original):

        @functools.wraps(original)
        async def view_method(self: web.View) -> web.StreamResponse:
            return await endpoint(self.request, self)

        mark = mark_endpoint(view_method, original, (SELF,), namespace=view_namespace(1))
        return view_method  # type: ignore[return-value]
    # The decorating code's names, for string annotations naming an app factory's classes.
    mark = mark_endpoint(endpoint, original, depth=1)
    return endpoint


# --- setup ------------------------------------------------------------------------------------


def _routes(app: web.Application) -> Iterator[tuple[web.AbstractRoute, frozenset[str]]]:
    """Every route of ``app`` and its sub-apps, with the names its path captures."""
    for resource in app.router.resources():
        info = resource.get_info()
        subapp = info.get("app")
        if isinstance(subapp, web.Application):
            yield from _routes(subapp)
            continue
        pattern = info.get("pattern")
        names = frozenset(pattern.groupindex) if pattern is not None else frozenset()
        for route in resource:
            yield route, names


def _prepare(app: web.Application, binding: _Binding) -> None:
    marked = [(route, names, endpoint_of(route.handler)) for route, names in _routes(app)]
    methods = [m for route, _ in _routes(app) for m in view_class_marks(route.handler)]
    prepare_endpoints(
        (binding.endpoints, mark) for mark in [*(m for _, _, m in marked if m), *methods]
    )
    check_route_variables(
        binding.endpoints,
        (
            (f"The route {_route_path(route)!r}", names, mark)
            for route, names, mark in marked
            if mark is not None
        ),
    )


def _route_path(route: web.AbstractRoute) -> str:
    return route.resource.canonical if route.resource is not None else "?"


def setup(app: web.Application, container: Container) -> None:
    """Tie ``container`` to ``app``: a request scope per request, handlers checked at startup.

    Injected handlers (and sub-apps' ones) are validated when the app starts; the
    container is closed (app-scoped finalizers) when the app is cleaned up.
    """
    container = require_container(container, "aiohttp", app=app)
    if _BINDING in app:
        raise already_set_up("this aiohttp app")
    binding = _Binding(container, Endpoints(container, _REQUEST_TYPES))
    app[_BINDING] = binding
    app.middlewares.insert(0, _scope_middleware(binding))

    async def injectkit_lifespan(app: web.Application) -> AsyncIterator[None]:
        async with app_lifespan(container, functools.partial(_prepare, app, binding)):
            yield

    app.cleanup_ctx.append(injectkit_lifespan)
