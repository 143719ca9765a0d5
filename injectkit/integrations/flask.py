"""Flask adapter: a request scope per request, closed when the WSGI server closes the body.

::

    from injectkit.integrations.flask import inject, setup

    @app.post("/send-notification/<email>")
    @inject
    def send_notification(email: str, tasks: BackgroundTasks) -> dict[str, str]: ...

    setup(app, container)   # after the routes: validates every injected view

How a request goes:

- ``setup`` wraps ``app.wsgi_app``.  The request scope is opened on first use (an
  injected view, or :func:`get_scope`) with the Flask ``Request`` in its context, so a
  parameter annotated ``flask.Request`` (or werkzeug's ``Request``) receives it.
- Free parameters of the view and its providers are read from the view arguments
  (the URL rule's variables), then from the query string, converted to ``str``,
  ``int``, ``float``, ``bool`` (or an ``Enum``, or an optional of these); a value that
  does not convert is answered with a 422 JSON body naming the parameter.
- The scope is closed when the WSGI server calls ``close()`` on the response body, which
  it does after sending the last byte (PEP 3333), also for streamed responses and when
  the client went away.  ``teardown_request`` would be too early: it runs before a
  streamed body is sent.  Background tasks then run in that thread, in order (``async
  def`` tasks each on a fresh event loop), then the request finalizers.
- If the view raised (including ``abort(404)``), its tasks are dropped and the
  exception is thrown into the finalizers; Flask still answers with its error response.
- The graph is sync end to end: an async provider is an InjectionError at ``setup``.
- App-scoped finalizers run at interpreter exit (an ``atexit`` hook, on by default), or
  when you call ``container.close()`` yourself, e.g. from a server's shutdown hook.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .. import Container, InjectionError, RequestScope
from .._introspect import call_kind, describe
from ._kernel import (
    SELF,
    EndpointMark,
    Endpoints,
    InvalidParameters,
    LazyScope,
    already_set_up,
    check_route_variables,
    close_at_interpreter_exit,
    endpoint_of,
    is_view_method,
    mark_endpoint,
    missing_extra,
    never_set_up,
    prepare_endpoints,
    require_container,
    require_function,
    serve_wsgi,
    view_class_marks,
    view_namespace,
)

try:
    import flask
    from werkzeug.wrappers import Request as WerkzeugRequest
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise missing_extra("Flask", "flask", error) from None

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["get_scope", "inject", "setup"]

F = TypeVar("F", bound=Callable[..., Any])

_EXTENSION = "injectkit"
_ENVIRON_KEY = "injectkit.request"


class _Binding:
    """What ``setup`` ties to one app: the container and its prepared endpoints."""

    __slots__ = ("container", "endpoints", "request_types")

    def __init__(
        self, container: Container, endpoints: Endpoints, request_types: tuple[type, ...]
    ) -> None:
        self.container = container
        self.endpoints = endpoints
        self.request_types = request_types


class _RequestState(LazyScope):
    """One WSGI call of a Flask app: its lazily opened request scope (see LazyScope)."""

    __slots__ = ("binding",)

    def __init__(self, binding: _Binding) -> None:
        super().__init__(binding.container, "Flask")
        self.binding = binding

    def open_for(self, request: WerkzeugRequest) -> RequestScope:
        scope = self.scope
        if scope is None:
            scope = self.open(dict.fromkeys(self.binding.request_types, request))
        return scope


class _ScopeMiddleware:
    """Wraps ``app.wsgi_app``: gives each call a request state and closes it at the end."""

    def __init__(self, wsgi_app: WSGIApplication, binding: _Binding) -> None:
        self.wsgi_app = wsgi_app
        self.binding = binding

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        state = _RequestState(self.binding)
        environ[_ENVIRON_KEY] = state
        return serve_wsgi(self.wsgi_app, state, environ, start_response)


def _state_of(request: WerkzeugRequest, handler: str | None = None) -> _RequestState:
    state = request.environ.get(_ENVIRON_KEY)
    if not isinstance(state, _RequestState):
        rule = getattr(getattr(request, "url_rule", None), "rule", request.path)
        raise never_set_up(
            "this Flask app has no injectkit container: its setup() was not called",
            f"{request.method} {rule}",
            handler,
            "call injectkit.integrations.flask.setup(app, container) when creating the "
            "app, after registering its routes.",
        )
    return state


def _current_request(where: str) -> WerkzeugRequest:
    if not flask.has_request_context():
        raise InjectionError(
            f"{where} needs a Flask request, and none is active.",
            hint="call it while Flask handles a request (in a view), or open a scope "
            "yourself with `with container.request() as scope:`.",
        )
    request: WerkzeugRequest = cast(Any, flask.request)._get_current_object()
    return request


def get_scope(request: WerkzeugRequest | None = None) -> RequestScope:
    """The request scope of ``request`` (default: the current one), opened if need be.

    It is closed after the response has been sent, like the scope of an injected view:
    ``get_scope().call_sync(func)`` runs ``func`` with injection in this request.
    """
    if request is None:
        request = _current_request("get_scope()")
    return _state_of(request).open_for(request)


def _unprocessable(error: InvalidParameters) -> flask.Response:
    response = flask.jsonify(error.body())
    response.status_code = error.status_code
    return response


def inject(view: F) -> F:
    """Decorator for Flask views: fill the view's parameters from the app's container.

    Put it under the route decorator.  The view must be a ``def`` function (a generator
    view is streamed, its request open until the last chunk) whose graph is sync end to
    end; free parameters come from the URL rule's variables, then the query.
    """
    handler = require_function(view, "Flask")
    kind = call_kind(handler)
    if kind.is_async:  # a sync generator view is streamed (see docs/integrations/flask.md)
        raise InjectionError(
            f"{describe(handler)} is {kind.with_article} function, but the Flask adapter "
            "injects plain `def` views and sync generator views.",
            path=(describe(handler),),
            hint="define the view with `def`; for async endpoints use an ASGI framework "
            "(injectkit.integrations.starlette) or aiohttp.",
        )

    mark: EndpointMark
    label = describe(handler)

    @functools.wraps(handler)
    def endpoint(view: Any = None, /, **view_args: Any) -> Any:
        # `view`: the MethodView instance, when the handler is one of its methods.
        request = _current_request(label)
        state = _state_of(request, label)
        prepared = state.binding.endpoints.get(mark)
        try:
            values = prepared.read(("path", view_args), ("query", request.args))
        except InvalidParameters as bad:
            return _unprocessable(bad)
        if view is not None:
            values[SELF] = view
        scope = state.open_for(request)
        try:
            return prepared.call_sync(scope, values)
        except BaseException as exc:
            state.fail(exc)
            raise

    # The decorating code's names, for string annotations naming classes local to an app
    # factory (or, for a MethodView's method, to its class body and the factory).
    if is_view_method(handler):
        mark = mark_endpoint(endpoint, handler, (SELF,), namespace=view_namespace(1))
    else:
        mark = mark_endpoint(endpoint, handler, depth=1)
    return cast(F, endpoint)


# --- setup ------------------------------------------------------------------------------------


def _request_types(app: flask.Flask) -> tuple[type, ...]:
    types: list[type] = [flask.Request, WerkzeugRequest]
    if app.request_class not in types:
        types.append(app.request_class)
    return tuple(types)


def _injected_views(app: flask.Flask) -> dict[str, EndpointMark]:
    views: dict[str, EndpointMark] = {}
    for name, view in app.view_functions.items():
        mark = endpoint_of(view)
        if mark is not None:
            views[name] = mark
    return views


def _view_methods_of(view: Any) -> list[EndpointMark]:
    """The injected methods of a ``MethodView``'s view function (``View.as_view``)."""
    return view_class_marks(getattr(view, "view_class", None))


def setup(app: flask.Flask, container: Container, *, close_at_exit: bool = True) -> None:
    """Tie ``container`` to ``app``: a request scope per request, views validated now.

    Call it after registering the app's routes and blueprints: every view decorated with
    :func:`inject` is validated here, and a broken graph raises its InjectionError (a
    view added later is validated on its first request).  ``close_at_exit`` closes the
    container (its app-scoped finalizers) when the interpreter exits; Flask has no
    shutdown event of its own.
    """
    container = require_container(container, "Flask", app=app)
    if _EXTENSION in app.extensions:
        raise already_set_up(f"the Flask app {app.name!r}")
    request_types = _request_types(app)
    endpoints = Endpoints(container, request_types)
    binding = _Binding(container, endpoints, request_types)
    views = _injected_views(app)
    methods = [m for view in app.view_functions.values() for m in _view_methods_of(view)]
    prepare_endpoints((endpoints, mark) for mark in [*views.values(), *methods])
    check_route_variables(
        endpoints,
        (
            (f"The URL rule {rule.rule!r}", rule.arguments, views[rule.endpoint])
            for rule in app.url_map.iter_rules()
            if rule.endpoint in views
        ),
    )
    app.extensions[_EXTENSION] = binding
    app.wsgi_app = _ScopeMiddleware(app.wsgi_app, binding)  # type: ignore[method-assign]
    if close_at_exit:
        close_at_interpreter_exit(container)
