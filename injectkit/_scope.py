"""Lifetimes of provided values and how they nest."""

from __future__ import annotations

import enum

__all__ = ["Scope", "lifetime", "parse_scope"]


class Scope(str, enum.Enum):
    """How long a provided value lives.

    ``FUNCTION`` < ``REQUEST`` < ``APP`` nest; ``TRANSIENT`` values are never shared.
    Plain strings (``"app"``) are accepted wherever a ``Scope`` is.
    """

    APP = "app"
    REQUEST = "request"
    FUNCTION = "function"
    TRANSIENT = "transient"

    def __str__(self) -> str:
        return self.value


# How long each lifetime lasts, for the "a value may only depend on values that live at
# least as long" rule.  Transient values take the shortest lifetime of what they use.
_ORDER = {Scope.FUNCTION: 0, Scope.REQUEST: 1, Scope.APP: 2, Scope.TRANSIENT: 2}


def lifetime(scope: Scope) -> int:
    return _ORDER[scope]


def parse_scope(value: object, *, allowed: tuple[Scope, ...], where: str) -> Scope:
    """Turn a user's ``scope=`` argument into a :class:`Scope`, or explain the mistake."""
    from ._exceptions import InjectionError
    from ._wording import safe_repr

    try:
        scope = Scope(value)
    except Exception:  # ValueError, or whatever the value's __repr__ raises inside Enum
        scope = None
    if scope is None or scope not in allowed:
        names = ", ".join(repr(s.value) for s in allowed)
        raise InjectionError(
            f"{where}: scope={safe_repr(value)} is not accepted here.",
            hint=f"use one of {names}.",
        )
    return scope
