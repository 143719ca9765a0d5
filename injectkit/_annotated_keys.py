"""``Annotated`` metadata never makes a key of its own.

A parameter annotated ``Annotated[Settings, "primary"]`` is looked up as ``Settings``
(or calls the function its ``Depends`` names), so a registration or an override keyed by
the ``Annotated`` form would never be used.  Both refuse it, at the call that made it.
"""

from __future__ import annotations

from typing import Annotated, Any, get_origin

from ._exceptions import InjectionError
from ._introspect import describe, split_annotated, type_name

__all__ = ["refuse_annotated_key"]


def refuse_annotated_key(key: Any, where: str, *, overriding: bool) -> None:
    """Raise if ``key`` (already seen through aliases) is ``Annotated[...]``; the hint
    says what to register, or (``overriding``) what to override, instead."""
    if get_origin(key) is not Annotated:
        return
    base, marker = split_annotated(key)
    name = type_name(base)
    if not overriding:
        fix = (
            f"register {name} itself, or, for a second kind of {name}, a NewType: "
            f"Other = NewType('Other', {name})."
        )
    elif marker is not None and marker.dependency is not None:
        fix = (
            f"override {describe(marker.dependency)} (the function its Depends(...) "
            f"calls), or {name} itself."
        )
    else:
        fix = f"override {name} itself."
    raise InjectionError(
        f"{where}: Annotated metadata does not make a key of its own: a parameter is "
        f"looked up by its type alone ({name}), or calls the function its Depends(...) "
        "names, so this would never be used.",
        hint=fix,
    )
