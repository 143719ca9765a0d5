"""Fake providers: stand-ins for a dependency that a test can inspect afterwards.

They are plain functions (the core reads them like any provider) carrying a few
attributes, named so that graphs, errors and recordings show ``fake(FakeSession)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar, cast, overload

from .._exceptions import InjectionError
from .._introspect import type_name
from .._wording import safe_repr

__all__ = ["Fake", "FakeResource", "fake", "fake_resource"]

T = TypeVar("T")


class Fake(Protocol[T]):
    """What :func:`fake` returns: a provider of ``value`` that counts its ``calls``."""

    value: T
    raises: BaseException | None
    calls: int

    def __call__(self) -> T: ...


class FakeResource(Protocol[T]):
    """What :func:`fake_resource` returns: a generator provider that notes its teardown."""

    value: T
    opened: int
    closed: int
    errors: list[BaseException]

    def __call__(self) -> Iterator[T]: ...


def _name(provider: Any, kind: str, shown: object, name: str | None) -> None:
    provider.__name__ = provider.__qualname__ = f"{kind}({name or type_name(type(shown))})"


@overload
def fake(value: T, /, *, name: str | None = None) -> Fake[T]: ...


@overload
def fake(*, raises: BaseException, name: str | None = None) -> Fake[Any]: ...


def fake(
    value: Any = None, /, *, raises: BaseException | None = None, name: str | None = None
) -> Fake[Any]:
    """A provider that returns ``value`` every time (or raises ``raises``).

    ``override(container, {Session: fake(FakeSession())})``.  Unlike a plain value, it
    counts how often it was asked for (``.calls``), works for values that are callable
    themselves (a class, a function, a mock), and can fail on purpose.  ``name`` replaces
    the type name in its label.
    """

    if raises is not None and not (
        isinstance(raises, BaseException)
        or (isinstance(raises, type) and issubclass(raises, BaseException))
    ):
        raise InjectionError(
            f"fake(raises=...) needs an exception, got {safe_repr(raises)}.",
            hint="fake(raises=ConnectionError('db down')).",
        )

    def provide() -> Any:
        handle.calls += 1
        if handle.raises is not None:
            raise handle.raises
        return handle.value

    handle = cast("Fake[Any]", provide)
    handle.value = value
    handle.raises = raises
    handle.calls = 0
    _name(provide, "fake", raises if raises is not None else value, name)
    return handle


def fake_resource(value: T, /, *, name: str | None = None) -> FakeResource[T]:
    """A generator provider that yields ``value`` and records its teardown.

    Use it where the real provider has a finalizer: ``.opened`` counts the values handed
    out, ``.closed`` the teardowns that ran, ``.errors`` the exceptions a failed request
    threw into it (it re-raises them, like any provider).
    """

    def provide() -> Iterator[T]:
        handle.opened += 1
        try:
            yield handle.value
        except BaseException as exc:
            handle.errors.append(exc)
            raise
        finally:
            handle.closed += 1

    handle = cast("FakeResource[T]", provide)
    handle.value = value
    handle.opened = 0
    handle.closed = 0
    handle.errors = []
    _name(provide, "fake_resource", value, name)
    return handle
