"""Django adapter: a request scope per request, closed when the server closes the response.

::

    # settings.py
    MIDDLEWARE = ["injectkit.integrations.django.InjectKitMiddleware", ...]

    # urls.py
    from injectkit.integrations.django import setup
    urlpatterns = [path("send-notification/<str:email>", views.send_notification)]
    setup(urlpatterns, container)      # after the routes: validates every injected view

    # views.py
    @inject
    def send_notification(email: str, tasks: BackgroundTasks) -> dict[str, str]: ...

How a request goes:

- :class:`InjectKitMiddleware` gives each request a state (sync under WSGI, async under
  ASGI).  The request scope is opened on first use (an injected view, or
  :func:`get_scope`) with the ``HttpRequest`` in its context.
- Free parameters of the view and its providers come from the URL's keyword arguments,
  then the query string, converted to ``str``, ``int``, ``float``, ``bool`` (an ``Enum``,
  or an optional of these); a value that does not convert is a 422 JSON answer.
- The scope is closed from the response's ``close()``, which a WSGI server calls after
  the last byte of the body (PEP 3333), Django's ASGI handler calls after sending the
  body (the last chunk of a ``StreamingHttpResponse`` included), and Django's test
  clients call too.  Background tasks run then, in order, then the request finalizers,
  then Django's own ``close()`` (its ``request_finished`` signal).  Under ASGI the
  closing runs on the event loop.  A client that goes away while an async view runs
  cancels the view: the finalizers run at once, the tasks are dropped.
- If the view raised, its tasks are dropped and the exception is thrown into the
  finalizers; Django still answers with its error response (a 500, a 404...).
- Start-up: the middleware loads the URLconf when the server creates Django's handler
  (``get_wsgi_application()`` / ``get_asgi_application()``), so a broken graph stops the
  server before it serves; ``manage.py check`` reports a missing middleware.
- App-scoped finalizers run at interpreter exit (``close_at_exit``), or at the ASGI
  server's shutdown with :func:`lifespan`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar, cast

from .. import Container, InjectionError, RequestScope
from .._introspect import call_kind, describe
from ._asgi import ASGIApp
from ._kernel import (
    Endpoint,
    EndpointMark,
    Endpoints,
    InvalidParameters,
    LazyScope,
    already_set_up,
    check_route_variables,
    close_at_interpreter_exit,
    endpoint_of,
    mark_endpoint,
    missing_extra,
    prepare_endpoints,
    require_container,
    require_function,
    serve_lifespan,
)

try:
    from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction
    from django.conf import settings
    from django.core import checks
    from django.http import HttpRequest, HttpResponseBase, JsonResponse
    from django.urls import URLPattern, URLResolver, get_resolver
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise missing_extra("Django", "django", error) from None

__all__ = ["InjectKitMiddleware", "get_scope", "inject", "lifespan", "setup"]

logger = logging.getLogger("injectkit")

F = TypeVar("F", bound=Callable[..., Any])

MIDDLEWARE_PATH = "injectkit.integrations.django.InjectKitMiddleware"
_STATE_ATTR = "_injectkit"
_REQUEST_TYPES = (HttpRequest,)
SETUP_HINT = (
    "call injectkit.integrations.django.setup(urlpatterns, container) at the end of the "
    "URLconf that routes to it."
)
MIDDLEWARE_HINT = f"add {MIDDLEWARE_PATH!r} to settings.MIDDLEWARE (first is best)."


class _Binding:
    """What ``setup`` ties to one URLconf's views: the container and its endpoints."""

    __slots__ = ("container", "endpoints")

    def __init__(self, container: Container) -> None:
        self.container = container
        self.endpoints = Endpoints(container, _REQUEST_TYPES)


# A view (an injected view's handler, any other view's callback) -> the binding of the
# URLconf that set it up.
_bindings: dict[Callable[..., Any], _Binding] = {}
# id() of each urlpatterns list set up -> the list: holding it keeps the id from being
# reused by a later list once this one is freed (which read as a second setup()).
_set_up: dict[int, Sequence[Any]] = {}
_lock = threading.Lock()


class _RequestState(LazyScope):
    """One request: its scope (opened on first use, by the container of the first
    injected view it reaches), how it ended, and who closes it (see LazyScope)."""

    __slots__ = ("loop", "opened_async", "request")

    def __init__(self, request: HttpRequest, *, is_async: bool) -> None:
        super().__init__(None, "Django")
        self.request = request
        self.loop = asyncio.get_running_loop() if is_async else None
        self.opened_async = False  # by an async view: closed by aclose

    def open_with(self, container: Container, *, asynchronous: bool = False) -> RequestScope:
        """The request's scope, opened now with ``container`` if it is not yet."""
        if self.scope is None:
            self.container = container
            self.opened_async = asynchronous
        elif self.container is not container:
            raise InjectionError(
                "Two views of one request use different containers.",
                hint="set up the URLconfs a request goes through with one container.",
            )
        return self.open(dict.fromkeys(_REQUEST_TYPES, self.request), asynchronous=asynchronous)

    async def aclose(self, exc: BaseException | None = None) -> None:
        """Close the scope on the event loop: tasks, then finalizers."""
        _log_late_failure(await self.afinish(exc))

    def close(self, exc: BaseException | None = None) -> None:
        """Close the scope from sync code (a WSGI server's or Django's ``close()``)."""
        if self.scope is None:
            self.finished = True
            return
        if self.loop is None:
            if self.opened_async:  # an async view under WSGI (Django gave it a loop)
                _log_late_failure(async_to_sync(self.afinish)(exc))
            else:
                _log_late_failure(self.context.run(self.finish, exc))
        elif _running_loop() is self.loop:
            # Called on the loop itself (Django's AsyncClient closes a streamed response
            # inside the stream): the closing cannot block here, so it runs as a task.
            task = self.loop.create_task(self.aclose(exc))
            _pending.add(task)
            task.add_done_callback(_pending.discard)
        else:  # Django's ASGI handler: sync_to_async(response.close), back to the loop
            async_to_sync(self.aclose)(exc)


_pending: set[asyncio.Task[None]] = set()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _log_late_failure(ended: BaseException | None) -> None:
    if ended is not None:
        # The response is out; nothing better can be done than to log it.
        logger.error("a request finalizer failed after the response was sent", exc_info=ended)


def _close_with_response(response: HttpResponseBase, state: _RequestState) -> None:
    """Make the response's ``close()`` close the request scope first, then Django's own."""
    django_close = response.close

    def close() -> None:
        try:
            state.close()
        finally:
            django_close()  # request_finished: Django closes its DB connections after tasks

    response.close = close


class InjectKitMiddleware:
    """Django middleware: each request's scope, closed when the response is closed.

    Sync under WSGI, async under ASGI (Django picks the mode).  Creating it, which Django
    does when the server loads the application, loads the URLconf: its ``setup`` call
    validates the injected views there, so a broken graph stops the server's start-up.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        load_urlconf()

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        state = _RequestState(request, is_async=False)
        setattr(request, _STATE_ATTR, state)
        try:
            response: HttpResponseBase = state.context.run(self.get_response, request)
        except BaseException as exc:  # Django turns exceptions into responses; not these
            state.close(exc)
            raise
        return self._handing_over(response, state)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        state = _RequestState(request, is_async=True)
        setattr(request, _STATE_ATTR, state)
        try:
            response: HttpResponseBase = await self.get_response(request)
        except BaseException as exc:  # the client went away: Django cancelled the view
            await state.aclose(exc)
            raise
        return self._handing_over(response, state)

    @staticmethod
    def _handing_over(response: HttpResponseBase, state: _RequestState) -> HttpResponseBase:
        if state.scope is None:
            state.finished = True  # nothing to close: the response goes untouched
        else:
            _close_with_response(response, state)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A view that raised (also one without ``inject``): its tasks are dropped."""
        state = getattr(request, _STATE_ATTR, None)
        if isinstance(state, _RequestState):
            state.fail(exception)


def load_urlconf() -> None:
    """Import the root URLconf now (its ``setup`` validates the views it routes to)."""
    get_resolver().url_patterns  # noqa: B018 - the property imports the module


def _state_of(request: Any, where: str) -> _RequestState:
    if not isinstance(request, HttpRequest):
        raise InjectionError(
            f"{where} needs the Django request as its first argument, got "
            f"{type(request).__name__}.",
            hint="decorate a function view (request first); for a class-based view, "
            "decorate a function and route to it.",
        )
    state = getattr(request, _STATE_ATTR, None)
    if not isinstance(state, _RequestState):
        raise InjectionError(
            "No injectkit request scope for this request: InjectKitMiddleware is not installed.",
            hint=MIDDLEWARE_HINT,
        )
    return state


def get_scope(request: HttpRequest) -> RequestScope:
    """The request scope of ``request``, opened if need be, closed after the response.

    ``get_scope(request).call_sync(func)`` (``await ....call(func)`` in an async view)
    runs ``func`` with injection in this request.
    """
    state = _state_of(request, "get_scope()")
    if state.scope is not None:
        return state.scope
    match = getattr(request, "resolver_match", None)
    binding = _bindings.get(match.func) if match is not None else None
    if binding is None:
        raise InjectionError(
            "get_scope() found no container for this request's view.",
            hint="route the view in urlpatterns that you pass to "
            "injectkit.integrations.django.setup(urlpatterns, container).",
        )
    return state.open_with(binding.container)


def _unprocessable(error: InvalidParameters) -> JsonResponse:
    return JsonResponse(error.body(), status=error.status_code)


def _as_response(result: Any) -> Any:
    return result if isinstance(result, HttpResponseBase) else JsonResponse(result, safe=False)


def _binding_of(mark: EndpointMark) -> _Binding:
    binding = _bindings.get(mark.handler)
    if binding is None:
        raise InjectionError(
            f"The view {describe(mark.handler)} has no container.", hint=SETUP_HINT
        )
    return binding


def inject(view: F) -> F:
    """Decorator for Django function views: fill the view's parameters from the container.

    The view (``def`` or ``async def``) is called by Django with the request first; the
    handler may declare ``request: HttpRequest`` anywhere (by type) or not at all.  Its
    free parameters come from the URL's keyword arguments, then the query string.  What
    it returns that is not an ``HttpResponse`` is answered as JSON.
    """
    handler = require_function(view, "Django")
    kind = call_kind(handler)
    name = describe(handler)
    if kind.has_finalizer:
        raise InjectionError(
            f"{name} is {kind.with_article} function and cannot be a view.",
            path=(name,),
            hint="return a StreamingHttpResponse of a generator instead; use generator "
            "functions as providers (Depends or @container.provider).",
        )

    mark: EndpointMark

    def begin(request: Any, url_kwargs: dict[str, Any]) -> _Call:
        state = _state_of(request, name)
        binding = _binding_of(mark)
        prepared = binding.endpoints.get(mark)
        values = prepared.read(("path", url_kwargs), ("query", request.GET))
        return _Call(prepared, binding.container, values, state)

    endpoint: Callable[..., Any]
    if kind.is_async:

        async def async_endpoint(request: HttpRequest, *args: Any, **url_kwargs: Any) -> Any:
            try:
                call = begin(request, url_kwargs)
            except InvalidParameters as bad:
                return _unprocessable(bad)
            try:
                scope = call.state.open_with(call.container, asynchronous=True)
                return _as_response(await call.endpoint.call(scope, call.values))
            except BaseException as exc:
                call.state.fail(exc)
                raise

        endpoint = async_endpoint
    else:

        def sync_endpoint(request: HttpRequest, *args: Any, **url_kwargs: Any) -> Any:
            try:
                call = begin(request, url_kwargs)
            except InvalidParameters as bad:
                return _unprocessable(bad)
            try:
                scope = call.state.open_with(call.container)
                return _as_response(call.endpoint.call_sync(scope, call.values))
            except BaseException as exc:
                call.state.fail(exc)
                raise

        endpoint = sync_endpoint

    functools.update_wrapper(endpoint, handler)
    mark = mark_endpoint(endpoint, handler, depth=1)
    return cast(F, endpoint)


class _Call(NamedTuple):
    endpoint: Endpoint
    container: Container
    values: dict[str, Any]
    state: _RequestState


# --- setup ------------------------------------------------------------------------------------


def url_patterns(patterns: Iterable[Any]) -> Iterator[URLPattern]:
    """Every URL pattern under ``patterns``, following ``include()``."""
    stack: list[Any] = list(patterns)
    while stack:
        entry = stack.pop()
        if isinstance(entry, URLResolver):
            stack.extend(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def _url_variables(pattern: URLPattern) -> set[str]:
    """The keyword arguments a URL pattern passes its view."""
    names = set(pattern.pattern.regex.groupindex)
    names.update(pattern.default_args)
    return names


def setup(urlpatterns: Sequence[Any], container: Container, *, close_at_exit: bool = True) -> None:
    """Tie ``container`` to the injected views of ``urlpatterns`` and validate them now.

    Call it at the end of a URLconf, after ``urlpatterns`` (views under ``include()``
    are found too).  A broken graph raises its InjectionError, so the URLconf does not
    load and the server does not start (the middleware loads the URLconf when the
    server creates Django's handler).  ``close_at_exit`` closes the container when the
    interpreter exits; under an ASGI server, :func:`lifespan` closes it at shutdown.
    """
    container = require_container(
        container, "Django", app=urlpatterns, call="setup(urlpatterns, container)"
    )
    if not isinstance(urlpatterns, (list, tuple)):
        raise InjectionError(
            f"Django setup() takes the URLconf's urlpatterns list, got "
            f"{type(urlpatterns).__name__}.",
            hint="call setup(urlpatterns, container) at the end of urls.py.",
        )
    with _lock:
        if id(urlpatterns) in _set_up:
            raise already_set_up("these urlpatterns")
    binding = _Binding(container)
    patterns = list(url_patterns(urlpatterns))
    views = [(p, mark) for p in patterns if (mark := endpoint_of(p.callback)) is not None]
    prepare_endpoints((binding.endpoints, mark) for _, mark in views)
    check_route_variables(
        binding.endpoints,
        ((f"The URL pattern {str(p.pattern)!r}", _url_variables(p), mark) for p, mark in views),
    )
    with _lock:
        _set_up[id(urlpatterns)] = urlpatterns
        _bindings.update(dict.fromkeys((p.callback for p in patterns), binding))
        _bindings.update(dict.fromkeys((mark.handler for _, mark in views), binding))
    _register_check()
    if close_at_exit:
        close_at_interpreter_exit(container)


_check_registered = False


def _register_check() -> None:
    global _check_registered
    with _lock:
        if not _check_registered:
            checks.register(check_middleware_installed)
            _check_registered = True


def check_middleware_installed(**kwargs: Any) -> list[checks.CheckMessage]:
    """System check (``manage.py check``): injected views need the middleware."""
    if not _bindings or MIDDLEWARE_PATH in getattr(settings, "MIDDLEWARE", ()):
        return []
    return [
        checks.Error(
            "Views are decorated with injectkit's inject, but InjectKitMiddleware is not "
            "in settings.MIDDLEWARE: they would fail at every request.",
            hint=MIDDLEWARE_HINT,
            id="injectkit.E001",
        )
    ]


def lifespan(application: ASGIApp, container: Container) -> ASGIApp:
    """Django's ASGI application with the lifespan protocol spoken for ``container``.

    ``application = lifespan(get_asgi_application(), container)``: at the server's
    start-up the URLconf is loaded (views validated); at its shutdown, after the last
    request, the container's app-scoped finalizers run (async ones included).  Django's
    handler itself does not speak the lifespan protocol.
    """
    container = require_container(
        container, "Django", app=application, call="lifespan(application, container)"
    )

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(application, container, load_urlconf, scope, receive, send)
        else:
            await application(scope, receive, send)

    return app
