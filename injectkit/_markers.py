"""``Depends``: the explicit marker a parameter uses to name its dependency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._exceptions import InjectionError
from ._scope import Scope, parse_scope
from ._wording import safe_repr

__all__ = ["Depends", "read_by_a_framework"]


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
