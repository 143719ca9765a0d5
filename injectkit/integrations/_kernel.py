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

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from .. import Container, InjectionError
from .._exceptions import combine
from .._introspect import unwrap_injected
from ._asgi import SCOPE_KEY, Exchange, exchange_of, serve_connection, serve_lifespan
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
from ._split_handler import (
    FROM_CONTAINER,
    FromContainer,
    SplitHandler,
    copy_names,
    core_function,
    is_for_injectkit,
    split_handler,
)

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
