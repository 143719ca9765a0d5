"""Adapters for web frameworks, and the kernel they share (for writing your own).

One small module per framework, each importing its framework only when imported itself,
each an optional extra (``python -m pip install "./injectkit[starlette]"`` from a
clone), the same names in each:

- ``setup(app, container)``: tie the container to the app (a request scope per request,
  endpoints validated at startup, the app scope closed at shutdown);
- ``inject``: the decorator for endpoints whose parameters injectkit fills;
- ``get_scope(request)``: the request's :class:`~injectkit.RequestScope`.

The names below are the kernel every adapter is built on (no framework needed);
docs/integrations/custom.md shows how to write an adapter with them.
"""

from ._kernel import (
    Endpoint,
    EndpointMark,
    Endpoints,
    FromContainer,
    InvalidParameters,
    ParameterProblem,
    check_route_variables,
    converter_for,
    endpoint_of,
    mark_endpoint,
    missing_extra,
    prepare_endpoints,
)

__all__ = [
    "Endpoint",
    "EndpointMark",
    "Endpoints",
    "FromContainer",
    "InvalidParameters",
    "ParameterProblem",
    "check_route_variables",
    "converter_for",
    "endpoint_of",
    "mark_endpoint",
    "missing_extra",
    "prepare_endpoints",
]
