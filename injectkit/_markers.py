"""``Depends``: the explicit marker a parameter uses to name its dependency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._scope import Scope, parse_scope
from ._wording import safe_repr

__all__ = ["Depends"]


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
