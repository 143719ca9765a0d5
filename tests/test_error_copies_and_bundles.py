"""An error moved along a longer chain keeps everything it says, and several errors found
at once come as one whose class is the one they share (or InjectionError)."""

from __future__ import annotations

from injectkit import CircularDependencyError, InjectionError, ScopeError
from injectkit._exceptions import combine


def test_an_error_put_along_a_chain_keeps_its_fields_and_replaces_the_original() -> None:
    """along() prefixes the path and keeps class, message, requested, scope, hint, key and
    cause; the copy does not show the original as its context."""
    cause = KeyError("k")
    original = ScopeError(
        "too short-lived",
        path=("get_db",),
        requested="Session",
        scope="request",
        hint="widen it",
        key=("scope", "get_db"),
    )
    original.__cause__ = cause
    copy = original.along(("handler", "get_user"))
    assert type(copy) is ScopeError
    assert copy.path == ("handler", "get_user", "get_db")
    assert (copy.message, copy.requested, copy.scope, copy.hint) == (
        "too short-lived",
        "Session",
        "request",
        "widen it",
    )
    assert copy.key == ("scope", "get_db")
    assert copy.__cause__ is cause
    assert copy.__suppress_context__


def test_errors_found_together_take_the_class_they_share() -> None:
    """Two of one class stay that class; two of different classes become InjectionError."""
    a, b = ScopeError("a"), ScopeError("b")
    same = combine([a, b])
    mixed = combine([a, CircularDependencyError("c")])
    assert type(same) is ScopeError and same.errors == (a, b)
    assert type(mixed) is InjectionError
    assert str(same).startswith("2 problems found in the dependency graph:\n1. a\n2. b")
