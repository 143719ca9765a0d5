"""Falcon adapter (WSGI ``falcon.App`` and ASGI ``falcon.asgi.App``): a request scope per
request, closed after the response has been sent.

::

    from injectkit.integrations.falcon import inject, setup

    class Notifications:
        @inject
        def on_post(self, req, resp, email: str, tasks: BackgroundTasks) -> None:
            tasks.add_task(write_log, f"notification for {email}\\n")
            resp.media = {"message": "Notification sent in the background"}

    app = falcon.App()
    app.add_route("/send-notification/{email}", Notifications())
    setup(app, container)   # after the routes (WSGI: validates every injected responder)

How a request goes:

- ``setup`` gives the app a subclass of its own class (``isinstance`` checks still hold)
  whose ``__call__`` wraps Falcon's: Falcon has no hook that runs after the body has
  been sent, and that is when the tasks must run.  A request scope is opened on first
  use (an injected responder, or :func:`get_scope`) with ``req`` and ``resp`` in its
  context, so a parameter annotated ``falcon.Request`` / ``falcon.Response`` (or the
  ASGI ones, or the app's own request and response types) receives them.
- A responder is a method of a resource: Falcon passes ``self``, ``req``, ``resp`` and
  the route's fields; its further parameters are injected, and its free parameters (and
  its providers') are read from the route's fields, then the query string, converted to
  ``str``, ``int``, ``float``, ``bool`` (or an ``Enum``, or an optional of these); a value
  that does not convert is a 422 JSON body naming the parameter.
- WSGI: the scope closes when the server closes the response body (PEP 3333), after the
  last byte or when the client went away; the tasks run then in the server's thread,
  then the finalizers.  ASGI: it closes when Falcon's ``__call__`` returns, after the
  last body message.
- If the responder raised (including a ``falcon.HTTPError``), its tasks are dropped
  and the exception is thrown into the finalizers; Falcon still answers with its error
  response.
- Start-up: WSGI apps are validated by ``setup`` (a broken graph raises there) and
  their app-scoped finalizers run at interpreter exit (``close_at_exit``); ASGI apps are
  validated at lifespan startup (a broken graph fails it) and closed at lifespan
  shutdown.  WebSocket routes are not injected.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from .. import Container, InjectionError, RequestScope
from .._introspect import call_kind, describe
from ._kernel import (
    Endpoint,
    EndpointMark,
    Endpoints,
    InvalidParameters,
    LazyScope,
    already_set_up,
    caller_namespace,
    close_at_interpreter_exit,
    copy_names,
    core_function,
    endpoint_of,
    mark_endpoint,
    missing_extra,
    prepare_endpoints,
    require_container,
    serve_lifespan,
    serve_wsgi,
    split_handler,
)

try:
    import falcon
    import falcon.asgi
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise missing_extra("Falcon", "falcon", error) from None

__all__ = ["get_scope", "inject", "setup"]

F = TypeVar("F", bound=Callable[..., Any])

_KEY = "injectkit.request"  # in the WSGI environ / the ASGI scope
_SETUP_HINT = (
    "call injectkit.integrations.falcon.setup(app, container) when creating the app, "
    "after adding its routes."
)


class _Binding:
    """What ``setup`` ties to one app: the container, its endpoints and context types."""

    __slots__ = ("container", "endpoints", "request_types", "response_types")

    def __init__(self, container: Container, app: falcon.App[Any, Any]) -> None:
        is_asgi = isinstance(app, falcon.asgi.App)
        base_request = falcon.asgi.Request if is_asgi else falcon.Request
        base_response = falcon.asgi.Response if is_asgi else falcon.Response
        self.container = container
        self.request_types = _types(falcon.Request, base_request, app._request_type)
        self.response_types = _types(falcon.Response, base_response, app._response_type)
        self.endpoints = Endpoints(container, self.request_types + self.response_types)


def _types(*types: type) -> tuple[type, ...]:
    return tuple(dict.fromkeys(types))


class _Request(LazyScope):
    """One call of the app: its lazily opened request scope (see LazyScope)."""

    __slots__ = ("binding",)

    def __init__(self, binding: _Binding) -> None:
        super().__init__(binding.container, "Falcon")
        self.binding = binding

    def values(self, req: falcon.Request, resp: falcon.Response) -> dict[Any, Any]:
        binding = self.binding
        return {
            **dict.fromkeys(binding.request_types, req),
            **dict.fromkeys(binding.response_types, resp),
        }


def _state_of(req: falcon.Request) -> _Request:
    holder = req.scope if isinstance(req, falcon.asgi.Request) else req.env
    state = holder.get(_KEY)
    if not isinstance(state, _Request):
        raise InjectionError("This Falcon app has no injectkit container.", hint=_SETUP_HINT)
    return state


def get_scope(req: falcon.Request, resp: falcon.Response) -> RequestScope:
    """The request scope of ``req`` (opened if need be, with ``req`` and ``resp`` in its
    context), closed after the response has been sent like an injected responder's:
    ``get_scope(req, resp).call_sync(func)`` runs ``func`` with injection in this request.
    """
    state = _state_of(req)
    if state.scope is not None:
        return state.scope
    return state.open(state.values(req, resp), asynchronous=isinstance(req, falcon.asgi.Request))


def _unprocessable(resp: falcon.Response, bad: InvalidParameters) -> None:
    resp.status = bad.status_code
    resp.media = bad.body()


# --- inject ---------------------------------------------------------------------------------


def _core_responder(
    responder: Callable[..., Any], namespace: Mapping[str, Any]
) -> tuple[Callable[..., Any], str]:
    """The function injectkit calls for ``responder(self, req, resp, ...)``, and the name
    of its ``self``: every parameter keyword-only, ``self`` a free parameter the adapter
    passes, ``req`` / ``resp`` from the context when left unannotated."""
    split = split_handler(
        responder, framework="Falcon", namespace=namespace, is_for_injectkit=lambda a, d: True
    )
    parameters = list(inspect.signature(split.core).parameters.values())
    positional = [
        p
        for p in inspect.signature(split.handler).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) < 3 or positional[0].kind is inspect.Parameter.POSITIONAL_ONLY:
        raise InjectionError(
            f"{split.name} is not a Falcon responder: a responder is a method of a resource "
            "taking (self, req, resp, ...) as plain parameters.",
            path=(split.name,),
            hint="define it as `def on_get(self, req, resp, ...)` in the resource class and "
            "put @inject directly on it.",
        )
    this, req, resp = parameters[:3]
    empty = inspect.Parameter.empty
    parameters[:3] = [
        inspect.Parameter(this.name, inspect.Parameter.KEYWORD_ONLY),
        req.replace(annotation=falcon.Request) if req.annotation is empty else req,
        resp.replace(annotation=falcon.Response) if resp.annotation is empty else resp,
    ]
    return core_function(split.handler, parameters), this.name


def inject(responder: F) -> F:
    """Decorator for a resource's responders (``on_get``, ``on_post``, ...): fill the
    parameters after ``req``, ``resp`` and the route's fields from the app's container.

    A ``def`` responder is for ``falcon.App`` (WSGI), whose graph must be sync end to end;
    an ``async def`` one for ``falcon.asgi.App``.
    """
    # A responder is defined in a class body: string annotations may name the class' own
    # names or, for a class defined in a function (tests!), that function's locals.
    namespace = {**(caller_namespace(2) or {}), **(caller_namespace(1) or {})}
    core, self_name = _core_responder(responder, namespace)
    mark: EndpointMark

    is_async = call_kind(core).is_async

    def start(
        resource: Any, req: falcon.Request, resp: falcon.Response, fields: dict[str, Any]
    ) -> tuple[_Request, Endpoint, RequestScope, dict[str, Any]] | None:
        """The request, its endpoint, its open scope and the responder's values;
        None when the request's values do not convert (the 422 is set on ``resp``)."""
        state = _state_of(req)
        prepared = state.binding.endpoints.get(mark)
        try:
            values = prepared.read(("path", fields), ("query", req.params))
        except InvalidParameters as bad:
            _unprocessable(resp, bad)
            return None
        values[self_name] = resource
        scope = state.open(state.values(req, resp), asynchronous=is_async)
        return state, prepared, scope, values

    endpoint: Callable[..., Any]
    if is_async:

        async def async_endpoint(
            resource: Any, req: falcon.asgi.Request, resp: falcon.asgi.Response, **fields: Any
        ) -> None:
            started = start(resource, req, resp, fields)
            if started is not None:
                state, prepared, scope, values = started
                try:
                    await prepared.call(scope, values)
                except BaseException as exc:
                    state.fail(exc)
                    raise

        endpoint = async_endpoint
    else:

        def sync_endpoint(
            resource: Any, req: falcon.Request, resp: falcon.Response, **fields: Any
        ) -> None:
            started = start(resource, req, resp, fields)
            if started is not None:
                state, prepared, scope, values = started
                try:
                    prepared.call_sync(scope, values)
                except BaseException as exc:
                    state.fail(exc)
                    raise

        endpoint = sync_endpoint

    copy_names(endpoint, core)
    mark = mark_endpoint(endpoint, core, provided=(self_name,), namespace=namespace)
    return cast(F, endpoint)


# --- setup ------------------------------------------------------------------------------------


def _injected_responders(app: falcon.App[Any, Any]) -> Iterable[EndpointMark]:
    """The marks of the injected responders among the app's routes."""
    nodes = list(getattr(app._router, "_roots", ()))
    while nodes:
        node = nodes.pop()
        nodes.extend(node.children or ())
        for responder in (node.method_map or {}).values():
            mark = endpoint_of(responder)
            if mark is not None:
                yield mark


def _prepare(app: falcon.App[Any, Any], binding: _Binding) -> None:
    prepare_endpoints((binding.endpoints, mark) for mark in _injected_responders(app))


def _wsgi_class(base: type[falcon.App[Any, Any]], binding: _Binding) -> type[Any]:
    falcon_call = base.__call__

    def __call__(self: falcon.App[Any, Any], environ: Any, start_response: Any) -> Any:
        state = _Request(binding)
        environ[_KEY] = state
        return serve_wsgi(functools.partial(falcon_call, self), state, environ, start_response)

    return type(base.__name__, (base,), {"__slots__": (), "__call__": __call__})


def _asgi_class(base: type[falcon.asgi.App[Any, Any]], binding: _Binding) -> type[Any]:
    falcon_call = base.__call__

    async def __call__(
        self: falcon.asgi.App[Any, Any], scope: dict[str, Any], receive: Any, send: Any
    ) -> None:
        kind = scope["type"]
        if kind == "http":
            state = _Request(binding)
            scope = {**scope, _KEY: state}  # ASGI: a middleware that adds keys works on a copy
            try:
                await falcon_call(self, scope, receive, send)
            except BaseException as exc:
                error = await state.afinish(exc)
                if error is None:
                    raise
                raise error from exc
            error = await state.afinish()
            if error is not None:
                raise error
        elif kind == "lifespan":
            await serve_lifespan(
                functools.partial(falcon_call, self),
                binding.container,
                lambda: _prepare(self, binding),
                scope,
                receive,
                send,
            )
        else:
            await falcon_call(self, scope, receive, send)

    return type(base.__name__, (base,), {"__slots__": (), "__call__": __call__})


def setup(
    app: falcon.App[Any, Any] | falcon.asgi.App[Any, Any],
    container: Container,
    *,
    close_at_exit: bool = True,
) -> None:
    """Tie ``container`` to ``app``: a request scope per request.

    A WSGI app's injected responders are validated now (call it after adding the routes;
    a route added later is validated at its first request) and ``close_at_exit`` closes
    the container when the interpreter exits.  An ASGI app's are validated at lifespan
    startup and the container is closed at lifespan shutdown.
    """
    container = require_container(container, "Falcon", app=app)
    if not isinstance(app, falcon.App):
        raise InjectionError(
            f"Falcon setup() takes a falcon.App or falcon.asgi.App: got {describe(app)}.",
            hint="pass the app object: setup(app, container).",
        )
    if getattr(type(app), "__injectkit_binding__", None) is not None:
        raise already_set_up(f"this Falcon app ({type(app).__name__})")
    binding = _Binding(container, app)
    new_class: type[Any]
    if isinstance(app, falcon.asgi.App):
        new_class = _asgi_class(type(app), binding)
    else:
        _prepare(app, binding)
        new_class = _wsgi_class(type(app), binding)
        if close_at_exit:
            close_at_interpreter_exit(container)
    new_class.__injectkit_binding__ = binding
    new_class.__module__ = type(app).__module__
    new_class.__qualname__ = type(app).__qualname__
    app.__class__ = new_class
