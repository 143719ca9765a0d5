"""How a ``Depends`` marker shows itself (in error messages and the graph): the dependency's
name, then only the options that differ from the defaults."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import Depends, InjectionError


def get_db() -> str:
    return "db"


class Maker:
    """A callable instance: it has no ``__qualname__`` of its own."""

    def __call__(self) -> str:
        return "made"

    def __repr__(self) -> str:
        return "<the maker>"


class BadName:
    """A callable whose ``__qualname__`` raises."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name}")

    def __call__(self) -> str:
        return "made"

    def __repr__(self) -> str:
        return "<bad name>"


class BadRepr:
    """A callable instance whose ``__repr__`` raises too."""

    def __call__(self) -> str:
        return "made"

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    ("marker", "shown"),
    [
        (Depends(), "Depends()"),
        (Depends(get_db), "Depends(get_db)"),
        (Depends(get_db, use_cache=False), "Depends(get_db, use_cache=False)"),
        (Depends(get_db, scope="app"), "Depends(get_db, scope='app')"),
        (Depends(get_db, scope="request"), "Depends(get_db)"),
        (
            Depends(get_db, use_cache=False, scope="function"),
            "Depends(get_db, use_cache=False, scope='function')",
        ),
        (Depends(scope="app"), "Depends(, scope='app')"),
        (Depends(Maker()), "Depends(<the maker>)"),
        (Depends(BadName()), "Depends(<bad name>)"),
        (Depends(BadRepr()), "Depends(<BadRepr object (its __repr__ raised)>)"),
    ],
)
def test_a_marker_shows_its_dependency_and_only_the_options_it_changes(
    marker: Any, shown: str
) -> None:
    """repr(Depends(...)) names the dependency and adds use_cache/scope only when not default."""
    assert repr(marker) == shown


def test_a_marker_refuses_an_unknown_scope_naming_itself() -> None:
    """Depends(scope="bogus") says it is Depends() that refuses it, and what it accepts."""
    with pytest.raises(InjectionError) as raised:
        Depends(get_db, scope="bogus")
    assert str(raised.value) == (
        "Depends(): scope='bogus' is not accepted here.\n"
        "  hint: use one of 'function', 'request', 'app'."
    )
