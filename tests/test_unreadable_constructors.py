"""A class Python cannot read the constructor of is refused before anything runs; the
hint names the builtin class it takes that constructor from (the first class along its
MRO that defines ``__init__`` or ``__new__``), or, when no builtin is to blame, says to
wrap it."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import Container, InjectionError


class Port(int):
    """Takes its constructor from int, which defines ``__new__`` only."""


class MissingSetting(KeyError):
    """Takes its constructor from KeyError, which defines ``__init__`` only."""


class Labelled:
    """A mixin without a constructor of its own: the search goes on past it."""

    label = "registry"


class Registry(Labelled, dict[str, int]):
    """Takes its constructor from dict, after a mixin."""


class OddSignature:
    """A ``__signature__`` that is no signature: no builtin class is to blame."""

    __signature__ = "(value)"


def _hint_for(cls: type) -> str:
    c = Container()
    c.register(cls)

    def handler(value: Any) -> None:
        pass

    handler.__annotations__["value"] = cls
    with pytest.raises(InjectionError) as raised:
        c.validate(c.inject(handler))
    assert raised.value.path == ("handler", cls.__name__)
    assert raised.value.hint is not None
    return " ".join(raised.value.hint.split())


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [(Port, "int"), (MissingSetting, "KeyError"), (Registry, "dict")],
    ids=["new-only", "init-only", "after-a-mixin"],
)
def test_the_hint_names_the_builtin_class_the_constructor_comes_from(
    cls: type, builtin: str
) -> None:
    """``class Port(int)``, ``class MissingSetting(KeyError)``, ``class Registry(Labelled,
    dict)``: the hint names int, KeyError, dict, and the function to register instead."""
    name = cls.__name__
    assert _hint_for(cls) == (
        f"{name} takes its constructor from {builtin}, whose parameters Python cannot read: "
        f"register a function that builds it, e.g. container.register({name}, lambda: "
        f"{name}()), or give {name} an __init__."
    )


def test_a_class_unreadable_for_another_reason_is_told_to_be_wrapped() -> None:
    """A class whose own ``__signature__`` is no signature: the general hint, no builtin
    class named."""
    assert _hint_for(OddSignature) == "wrap it in a small function with annotated parameters."
