"""injectkit: dependency injection for Python services.

FastAPI's ``Depends`` model freed from HTTP: graphs from type annotations and
``Annotated`` markers, app / request / function / transient lifetimes, a request-scoped
``BackgroundTasks`` that runs after the response, and a resolver compiled once per
function.
"""

import contextlib as _contextlib

from ._background import BackgroundTask, BackgroundTasks
from ._container import Container, default_container, inject
from ._exceptions import (
    CircularDependencyError,
    InjectionError,
    ScopeError,
    UnresolvableDependencyError,
)
from ._markers import Depends, NotFromRequest
from ._render import FreeParameter, GraphEdge, GraphNode, GraphView
from ._request import RequestScope
from ._scope import Scope

__all__ = [
    "BackgroundTask",
    "BackgroundTasks",
    "CircularDependencyError",
    "Container",
    "Depends",
    "FreeParameter",
    "GraphEdge",
    "GraphNode",
    "GraphView",
    "InjectionError",
    "NotFromRequest",
    "RequestScope",
    "Scope",
    "ScopeError",
    "UnresolvableDependencyError",
    "default_container",
    "inject",
]

__version__ = "0.1.0"

# Show the public home of each name in reprs and tracebacks (anyio does the same).
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("injectkit._"):
        with _contextlib.suppress(AttributeError, TypeError):
            _obj.__module__ = __name__
del _name, _obj
