"""The adapter kernel: what every web framework adapter does, free of any framework.

An adapter has four jobs, and this module gives each one a name:

1. **At startup, prepare every injected endpoint.**  The adapter's ``inject`` marks the
   wrapper it gives the framework with :func:`mark_endpoint`; startup code finds the
   marks among the framework's routes with :func:`endpoint_of` and passes
   ``(registry, mark)`` pairs to :func:`prepare_endpoints`, where ``registry`` is an
   :class:`Endpoints` made with the types the adapter puts into each request's
   context.  Preparing validates the graph (``container.validate(f,
   context_types=..., strict=True)``: the framework passes no services, so a
   handler's parameter of an unregistered class is an error) and works out which of
   its *free* parameters (``container.graph(f).free_parameters``) come from the
   request, and how to convert a string to their annotation (``str``, ``int``,
   ``float``, ``bool``, an ``Enum``, and their optionals).  A broken graph raises
   :class:`~injectkit.InjectionError` here, so the app does not start.  The result is
   an :class:`Endpoint`.

2. **Per request, open a scope** — ``scope = container.request(context={Request: r})``
   then ``await scope.__aenter__()`` (or ``with``/``async with`` when the whole
   exchange fits in one block).  The framework's request object goes into the context
   *by type*, so handlers and providers can declare a parameter of that type.

3. **Call the handler in the scope** — ``values = endpoint.read(("path", path_params),
   ("query", query_params))`` converts the request's strings (raising
   :class:`InvalidParameters`, which the adapter turns into a 422 response with
   ``error.body()`` as JSON), then ``await endpoint.run(scope, values)`` (a sync
   handler goes to a worker thread) or, in a sync framework,
   ``endpoint.call_sync(scope, values)``.

4. **Close the scope only after the response body has been sent** —
   ``error = await scope.aclose(exc)`` (``scope.close(exc)`` for sync frameworks),
   where ``exc`` is the exception the handler raised, or None.  Background tasks run
   first (only if ``exc`` is None), then the request finalizers.  The return value is
   the exception the request ends with: re-raise it if it is not ``exc``.

:class:`Endpoints` keeps the prepared endpoints of one container (preparing late ones
on first use: ``registry.get(mark)``), :func:`app_lifespan` ties the container's app
scope to a framework's lifespan (prepare on startup, ``container.aclose()`` on
shutdown), and :func:`missing_extra` words the ImportError of a missing framework.

Shared by the ASGI adapters: :class:`Exchange` (one connection's scope, request object
and handler error, kept in the ASGI scope under :data:`SCOPE_KEY`),
:func:`serve_connection` (steps 2 and 4 around an ASGI app) and :func:`serve_lifespan`
(startup validation before the app's own startup, ``container.aclose()`` after its
shutdown).  For frameworks that read unmarked parameters themselves (FastAPI,
Litestar): :data:`FromContainer` and :func:`split_handler`, which splits a handler's
parameters between the framework and injectkit.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
)
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from .. import BackgroundTasks, Container, Depends, InjectionError, RequestScope
from .._aliases import unwrap_alias
from .._exceptions import combine
from .._introspect import call_kind, describe, read_signature, unwrap_injected
from ._endpoint import (
    ENDPOINT_ATTR,
    Endpoint,
    EndpointMark,
    Endpoints,
    caller_namespace,
    endpoint_of,
    mark_endpoint,
)
from ._request_values import FieldReader, InvalidParameters, ParameterProblem, converter_for
from ._setup_checks import already_set_up, missing_extra, require_container, require_function

__all__ = [
    "ENDPOINT_ATTR",
    "FROM_CONTAINER",
    "SCOPE_KEY",
    "Exchange",
    "FromContainer",
    "SplitHandler",
    "copy_names",
    "core_function",
    "exchange_of",
    "is_for_injectkit",
    "serve_connection",
    "serve_lifespan",
    "split_handler",
    "Endpoint",
    "EndpointMark",
    "Endpoints",
    "already_set_up",
    "require_container",
    "require_function",
    "FieldReader",
    "InvalidParameters",
    "ParameterProblem",
    "app_lifespan",
    "app_lifespan_sync",
    "caller_namespace",
    "converter_for",
    "endpoint_of",
    "mark_endpoint",
    "missing_extra",
    "prepare_endpoints",
]

T = TypeVar("T")
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def prepare_endpoints(work: Iterable[tuple[Endpoints, EndpointMark]]) -> int:
    """Prepare every (registry, mark) pair; one InjectionError listing every broken one.

    Returns how many endpoints were prepared.
    """
    errors: list[InjectionError] = []
    seen: set[tuple[int, Any]] = set()
    for endpoints, mark in work:
        key = (id(endpoints), unwrap_injected(mark.handler))
        if key in seen:
            continue
        seen.add(key)
        try:
            endpoints.prepare(mark)
        except InjectionError as exc:
            errors.extend(exc.errors)
    if errors:
        raise combine(list({str(e): e for e in errors}.values()))
    return len(seen)


# --- frameworks with parameters of their own (FastAPI, Litestar) ------------------------------


class _FromContainer:
    """The ``Annotated`` marker behind :data:`FromContainer`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FromContainer"


FROM_CONTAINER = _FromContainer()

FromContainer = Annotated[T, FROM_CONTAINER]
"""``FromContainer[Session]``: in an injected function, the container's ``Session``.

For frameworks that read every unmarked parameter themselves (FastAPI, Litestar).
"""


def is_for_injectkit(annotation: Any, default: Any) -> bool:
    """Whether a parameter is marked for injectkit rather than for the framework.

    Marked: injectkit's ``Depends`` (as ``Annotated`` metadata or default), injectkit's
    ``BackgroundTasks``, or ``FromContainer[T]``.
    """
    if isinstance(default, Depends):
        return True
    annotation = unwrap_alias(annotation)  # ``type DB = Annotated[Session, Depends(...)]``
    base = annotation
    if typing.get_origin(annotation) is Annotated:
        base, *metadata = typing.get_args(annotation)
        if any(isinstance(m, (Depends, _FromContainer)) for m in metadata):
            return True
    return base is BackgroundTasks


@dataclass(frozen=True)
class SplitHandler:
    """A handler's parameters split between the framework and injectkit.

    ``core`` is what injectkit calls: every parameter keyword-only, the framework's ones
    turned into plain free parameters (so their values also reach injectkit's
    dependencies by name).  ``visible`` are the framework's parameters, with their
    annotations evaluated, for the signature the framework reads.
    """

    handler: Callable[..., Any]
    name: str
    core: Callable[..., Any]
    visible: tuple[inspect.Parameter, ...]
    return_annotation: Any

    @property
    def visible_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.visible)


def split_handler(
    handler: Callable[..., Any],
    *,
    framework: str,
    namespace: Mapping[str, Any] | None = None,
    is_for_injectkit: Callable[[Any, Any], bool] = is_for_injectkit,
) -> SplitHandler:
    """Split ``handler``'s parameters (see :class:`SplitHandler`); raises InjectionError."""
    original = require_function(handler, framework)
    name = describe(original)
    kind = call_kind(original)
    if kind.has_finalizer:
        raise InjectionError(
            f"{name} is {kind.with_article} function; the {framework} adapter injects functions "
            "and async functions.",
            path=(name,),
            hint="make it an injectkit provider (Depends or @container.provider), or a "
            f"plain {framework} dependency without @inject.",
        )
    read_signature(original, namespace)  # an annotation that cannot be evaluated: say which
    try:
        hints = typing.get_type_hints(original, localns=dict(namespace or {}), include_extras=True)
    except Exception:  # read_signature found them fine with its own fallbacks
        hints = {}
    signature = inspect.signature(original)
    visible: list[inspect.Parameter] = []
    for_core: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        # The framework sees an alias' value: not every version of it unwraps aliases.
        annotation = unwrap_alias(hints.get(parameter.name, parameter.annotation))
        if is_for_injectkit(annotation, parameter.default):
            for_core.append(parameter.replace(kind=_KEYWORD, annotation=annotation))
        else:
            visible.append(parameter.replace(kind=_KEYWORD, annotation=annotation))
            for_core.append(inspect.Parameter(parameter.name, _KEYWORD))
    return SplitHandler(
        handler=original,
        name=name,
        core=core_function(original, for_core),
        visible=tuple(visible),
        return_annotation=hints.get("return", signature.return_annotation),
    )


def core_function(
    handler: Callable[..., Any], parameters: Iterable[inspect.Parameter]
) -> Callable[..., Any]:
    """A function with the signature ``parameters`` that calls ``handler(**values)``."""
    core: Callable[..., Any]
    if call_kind(handler).is_async:

        async def call_async(**values: Any) -> Any:
            return await handler(**values)

        core = call_async
    else:

        def call_sync(**values: Any) -> Any:
            return handler(**values)

        core = call_sync

    parameters = list(parameters)
    copy_names(core, handler)  # errors name the handler, not this function
    setattr(core, "__signature__", inspect.Signature(parameters))  # noqa: B010
    core.__annotations__ = {
        p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty
    }
    return core


def copy_names(wrapper: Any, original: Any) -> None:
    """Give ``wrapper`` the name, module and docstring of ``original`` (no ``__wrapped__``:
    frameworks follow it to the original's signature)."""
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(wrapper, attribute, getattr(original, attribute, None))


# --- ASGI: a request scope per connection, the app scope per lifespan ---------------------------

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


def exchange_of(asgi_scope: Mapping[str, Any], *, setup_hint: str) -> Exchange:
    """The connection's :class:`Exchange`; InjectionError (with ``setup_hint``) if none."""
    exchange = asgi_scope.get(SCOPE_KEY)
    if not isinstance(exchange, Exchange):
        raise InjectionError(
            "No injectkit request scope is open for this connection.", hint=setup_hint
        )
    return exchange


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

    ``scope`` must already hold ``exchange`` under :data:`SCOPE_KEY`.  When ``app``
    returns, the last body message has been handed to the server, the WebSocket has
    closed, or the client left mid-body and the app stopped sending: that is "after the
    response", so the tasks run then (unless the handler raised), then the finalizers.
    """
    request_scope = exchange.scope
    await request_scope.__aenter__()
    try:
        await app(scope, receive, send)
    except BaseException as exc:
        error = await request_scope.aclose(exc)
        if error is None or error is exc:
            raise
        raise error from exc  # a finalizer failed while handling exc
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


# --- the app scope and the framework's lifespan ----------------------------------------------


@asynccontextmanager
async def app_lifespan(
    container: Container, startup: Callable[[], None] | None = None
) -> AsyncIterator[None]:
    """Run ``startup`` (prepare endpoints) on enter; end the app scope on exit.

    A broken graph raises from ``startup`` and the app does not start; the app-scoped
    finalizers run on shutdown (``await container.aclose()``), also after an error.
    """
    if startup is not None:
        startup()
    try:
        yield
    finally:
        await container.aclose()


@contextmanager
def app_lifespan_sync(
    container: Container, startup: Callable[[], None] | None = None
) -> Iterator[None]:
    """The sync twin of :func:`app_lifespan` (``container.close()`` on exit)."""
    if startup is not None:
        startup()
    try:
        yield
    finally:
        container.close()
