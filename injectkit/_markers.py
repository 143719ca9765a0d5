"""``Depends``, the explicit marker a parameter uses to name its dependency, and
``NotFromRequest``, which keeps a free parameter out of a client's reach."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from ._exceptions import InjectionError
from ._scope import Scope, parse_scope
from ._wording import safe_repr

__all__ = [
    "NOT_FROM_REQUEST",
    "Depends",
    "NotFromRequest",
    "is_not_from_request",
    "read_by_a_framework",
]

T = TypeVar("T")


class Depends:
    """Mark a parameter as provided by calling ``dependency``.

    Use it in ``Annotated[T, Depends(f)]`` or as a default, ``x: T = Depends(f)``.
    With ``dependency=None`` the annotated type itself is called.  ``use_cache=False``
    gives this dependent a fresh call instead of the request's shared value; ``scope``
    is ``"function"``, ``"request"`` (the default) or ``"app"``.
    """

    __slots__ = ("dependency", "scope", "use_cache")

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        use_cache: bool = True,
        scope: Scope | str | None = None,
    ) -> None:
        self.dependency = dependency
        self.use_cache = use_cache
        self.scope = (
            Scope.REQUEST
            if scope is None
            else parse_scope(
                scope, allowed=(Scope.FUNCTION, Scope.REQUEST, Scope.APP), where="Depends()"
            )
        )

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """pydantic asks this when a framework (FastAPI) reads a parameter marked with
        ``Depends`` as a request field: the function went to the framework without its
        adapter's ``inject`` (``container.inject`` on a route, or no decorator)."""
        raise read_by_a_framework(f"a parameter marked {self!r}")

    def __repr__(self) -> str:
        try:
            name = getattr(self.dependency, "__qualname__", None)
        except Exception:  # shown in error messages: never raise from here
            name = None
        if not isinstance(name, str):
            name = safe_repr(self.dependency)
        extra = "" if self.use_cache else ", use_cache=False"
        if self.scope is not Scope.REQUEST:
            extra += f", scope={self.scope.value!r}"
        return f"Depends({'' if self.dependency is None else name}{extra})"


def read_by_a_framework(what: str) -> InjectionError:
    """The error of a marked parameter that a framework reads itself (through pydantic's
    ``__get_pydantic_core_schema__``, which FastAPI calls for each request field)."""
    return InjectionError(
        f"A framework is reading {what} as a request field (pydantic was asked to "
        "validate it): the function went to the framework decorated with container.inject, "
        "or not decorated, where the framework's adapter was needed (FastAPI would say "
        "'Invalid args for response field!').",
        hint="on a FastAPI route or dependency use the adapter's inject (from "
        "injectkit.integrations.fastapi import inject), under the route decorator; keep "
        "container.inject for the functions the route calls.",
    )


class _NotFromRequest:
    """The ``Annotated`` marker behind :data:`NotFromRequest`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NotFromRequest"


NOT_FROM_REQUEST = _NotFromRequest()

NotFromRequest = Annotated[T, NOT_FROM_REQUEST]
"""``pool_size: NotFromRequest[int] = 5``: a free parameter no web adapter reads from
the request.

A free parameter of a handler or of any of its dependencies is read from the path or
the query string by the web adapters, so a client can set it.  Marked, it never is: the
adapters leave it out of the request reading and out of the OpenAPI schema, and it keeps
its default (a request that sets it is ignored, like any unknown query parameter).  A
direct call still passes it by name (``await handler(pool_size=1)`` in a test).  Decided
when an endpoint is prepared, so it costs nothing per request.
"""


def is_not_from_request(annotation: Any) -> bool:
    """Whether an annotation (metadata not yet stripped) carries :data:`NotFromRequest`."""
    if typing.get_origin(annotation) is not Annotated:
        return False
    return any(m is NOT_FROM_REQUEST for m in typing.get_args(annotation)[1:])
