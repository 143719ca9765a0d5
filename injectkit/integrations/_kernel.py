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

Where each part lives (this module gathers them for the adapters):

- ``_endpoint``: :func:`mark_endpoint`, :func:`endpoint_of`, :class:`Endpoint` and
  :class:`Endpoints` (which keeps the prepared endpoints of one container, preparing
  late ones on first use: ``registry.get(mark)``);
- ``_request_values``: :func:`converter_for` and the 422 :class:`InvalidParameters`;
- ``_startup``: :func:`prepare_endpoints` and :func:`app_lifespan` (prepare on startup,
  ``container.aclose()`` on shutdown);
- ``_asgi``, shared by the ASGI adapters: :class:`Exchange` (one connection's scope,
  request object and handler error, kept in the ASGI scope under :data:`SCOPE_KEY`),
  :func:`serve_connection` (steps 2 and 4 around an ASGI app) and
  :func:`serve_lifespan` (startup validation before the app's own startup,
  ``container.aclose()`` after its shutdown);
- ``_lazy_scope`` and ``_wsgi``, for frameworks that make their request object inside
  their own call (Flask, Falcon): :class:`LazyScope` (a scope opened on first use,
  closed by the adapter), :func:`serve_wsgi` and :class:`ClosingBody` (closed when the
  WSGI server closes the body); ``_startup.close_at_interpreter_exit`` closes the app
  scope where there is no shutdown event (WSGI);
- ``_split_handler``, for frameworks that read unmarked parameters themselves (FastAPI,
  Litestar): :data:`FromContainer` and :func:`split_handler`, which splits a handler's
  parameters between the framework and injectkit, and :func:`provided_value_core`, the
  function behind ``provide(T)``;
- ``_setup_checks``: what ``setup`` and ``inject`` check they were handed
  (:func:`require_container`, :func:`require_function`, :func:`already_set_up`) and
  :func:`missing_extra`, the ImportError of a missing framework;
- ``_view_methods``: :func:`is_view_method`, for handlers that are methods of a
  class-based view (the instance is passed as :data:`SELF`).

None of them imports a framework: each adapter imports its own, in its own module.
"""

from __future__ import annotations

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
from ._lazy_scope import LazyScope
from ._request_values import FieldReader, InvalidParameters, ParameterProblem, converter_for
from ._setup_checks import (
    already_set_up,
    core_inject_in_fastapi,
    is_core_injected,
    missing_extra,
    never_set_up,
    require_container,
    require_function,
)
from ._split_handler import (
    FROM_CONTAINER,
    FromContainer,
    SplitHandler,
    copy_names,
    core_function,
    is_for_injectkit,
    provided_value_core,
    split_handler,
)
from ._startup import (
    app_lifespan,
    app_lifespan_sync,
    check_route_variables,
    close_at_interpreter_exit,
    prepare_endpoints,
)
from ._view_methods import SELF, is_view_method, view_class_marks, view_namespace
from ._wsgi import ClosingBody, serve_wsgi

__all__ = [
    "SELF",
    "is_view_method",
    "view_class_marks",
    "view_namespace",
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
    "provided_value_core",
    "serve_connection",
    "serve_lifespan",
    "split_handler",
    "Endpoint",
    "EndpointMark",
    "Endpoints",
    "already_set_up",
    "never_set_up",
    "core_inject_in_fastapi",
    "is_core_injected",
    "require_container",
    "require_function",
    "FieldReader",
    "InvalidParameters",
    "ParameterProblem",
    "app_lifespan",
    "app_lifespan_sync",
    "caller_namespace",
    "close_at_interpreter_exit",
    "converter_for",
    "endpoint_of",
    "mark_endpoint",
    "missing_extra",
    "prepare_endpoints",
    "check_route_variables",
    "LazyScope",
    "ClosingBody",
    "serve_wsgi",
]
