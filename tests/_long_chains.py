"""A handler whose chain of providers, many deep, ends at a missing one: how messages
shorten long chains is read from its error."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest

from injectkit import Container, InjectionError

E = TypeVar("E", bound=InjectionError)


def missing_at_depth(depth: int, prefix: str = "make") -> InjectionError:
    """The error of ``handler -> {prefix}0 -> ... -> {prefix}{depth - 1}`` (a missing
    provider at the end)."""
    container = Container()
    types = [type(f"T{i}", (), {}) for i in range(depth + 1)]
    for i in range(depth):

        def make(dep: Any) -> Any:
            return None

        make.__name__ = make.__qualname__ = f"{prefix}{i}"
        make.__annotations__ = {"dep": types[i + 1], "return": types[i]}
        container.register(types[i], make)

    return validation_error(container, types[0], InjectionError)


def validation_error(container: Container, first: type, kind: type[E]) -> E:
    """The ``kind`` of error validating ``handler(first: <first>)`` raises."""

    def handler(first: Any) -> None:
        pass

    handler.__annotations__["first"] = first
    with pytest.raises(kind) as info:
        container.validate(handler)
    return info.value
