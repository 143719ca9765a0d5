"""Handlers that are methods of a framework's class-based view.

Starlette's ``HTTPEndpoint``, Flask's ``MethodView`` and aiohttp's ``web.View`` call a
method of the view instance (``get``, ``post``...).  ``@inject`` on such a method makes a
wrapper that the class binds like the method it replaces; the instance is handed to the
handler as ``self``, a parameter the framework fills (injectkit neither resolves nor reads
it from the request).  Decided once, when the method is decorated.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._introspect import caller_locals
from ._endpoint import EndpointMark, endpoint_of

__all__ = ["SELF", "is_view_method", "view_class_marks", "view_namespace"]

SELF = "self"


def is_view_method(handler: Callable[..., Any]) -> bool:
    """Whether ``handler`` is a method defined in a class (its first parameter is ``self``)."""
    if "." not in getattr(handler, "__qualname__", "").replace(".<locals>.", ""):
        return False
    parameters = list(inspect.signature(handler).parameters.values())
    return (
        bool(parameters)
        and parameters[0].name == SELF
        and parameters[0].kind
        in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )
    )


def view_namespace(depth: int) -> dict[str, Any] | None:
    """The names a view method's string annotations may use, ``depth`` frames up from
    the caller: the class body's, over those of the function the class is defined in
    (a class body does not see them itself, but a view class made in a factory does)."""
    class_body = caller_locals(depth + 1)
    enclosing = caller_locals(depth + 2)
    if class_body is None and enclosing is None:
        return None
    return {**(enclosing or {}), **(class_body or {})}


def view_class_marks(view_class: object) -> list[EndpointMark]:
    """The marks of the injected methods of a class-based view (none if not a class),
    the nearest definition of each name along its MRO: validated at startup."""
    if not isinstance(view_class, type):
        return []
    methods: dict[str, Any] = {}
    for klass in reversed(view_class.__mro__):
        methods.update(vars(klass))
    return [mark for mark in map(endpoint_of, methods.values()) if mark is not None]
