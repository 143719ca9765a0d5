"""How a type alias' value is evaluated: forward references inside it are looked up in the
alias' own module, generic aliases take their arguments by position, and a value that
cannot be evaluated is an InjectionError naming the alias."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import pytest
from typing_extensions import TypeAliasType

from injectkit import Container, Depends, InjectionError
from injectkit._aliases import is_alias, unwrap_alias

T = TypeVar("T")
U = TypeVar("U")


class Clock:
    def __init__(self, source: str = "system") -> None:
        self.source = source


def fixed_clock() -> Clock:
    return Clock("fixed")


# "Clock" and "fixed_clock" are forward references: the alias' module defines them.
LaterClock = TypeAliasType("LaterClock", Annotated["Clock", Depends(fixed_clock)])
Missing = TypeAliasType("Missing", Annotated["NotDefinedAnywhere", Depends()])  # noqa: F821
Second = TypeAliasType("Second", U, type_params=(T, U))
Pair = TypeAliasType("Pair", tuple[T, U], type_params=(T, U))


def test_a_forward_reference_in_an_alias_is_looked_up_in_the_alias_module() -> None:
    """A quoted name inside an alias' value is evaluated with the alias module's globals,
    and the Depends around it is kept."""
    c = Container()

    @c.inject
    def handler(clock: LaterClock) -> str:  # type: ignore[valid-type]
        return clock.source  # type: ignore[no-any-return]

    assert handler() == "fixed"
    value = unwrap_alias(LaterClock)
    base, marker = value.__metadata__[0].__class__, value.__metadata__[0]
    assert value.__origin__ is Clock
    assert base is Depends and marker.dependency is fixed_clock


def test_an_alias_whose_forward_reference_is_undefined_names_the_alias_and_the_fix() -> None:
    """The error names the alias, its value and the missing name, and says how to fix it."""
    c = Container()

    @c.inject
    def handler(value: Missing) -> None:  # type: ignore[valid-type]
        return None

    with pytest.raises(InjectionError) as raised:
        c.validate()
    assert str(raised.value) == (
        "Cannot evaluate the type alias Missing =\n"
        "typing.Annotated[ForwardRef('NotDefinedAnywhere'), Depends()]: name\n"
        "'NotDefinedAnywhere' is not defined.\n"
        "  hint: import the names the alias uses at module level, or write them without\n"
        "        quotes."
    )
    assert raised.value.requested == "Missing"
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_generic_alias_takes_its_arguments_by_position() -> None:
    """``Second[A, B]`` is B; with a missing argument the parameter stays; a generic value
    gets every argument."""
    assert unwrap_alias(Second[int, Clock]) is Clock
    assert unwrap_alias(Second[int]) is U
    assert unwrap_alias(Pair[int, str]) == tuple[int, str]


def test_an_alias_is_recognised_bare_or_subscripted_and_nothing_else_is() -> None:
    """is_alias is true for an alias and for an alias with arguments, false otherwise."""
    assert is_alias(LaterClock)
    assert is_alias(Second[int, str])
    assert not is_alias(Clock)
    assert not is_alias(Annotated[Clock, Depends()])
    assert not is_alias(list[Any])
