"""Type aliases at their edges: a chain as deep as allowed, a generic alias that names
itself, a generic alias of a plain class, a quoted name deep in an alias' value, and (on
Python 3.12+) a ``type`` statement whose value cannot be evaluated."""

import sys
from typing import Annotated, Any, TypeVar

import pytest
from typing_extensions import TypeAliasType

from injectkit import Container, Depends, InjectionError
from injectkit._aliases import unwrap_alias

T = TypeVar("T")


class Item:
    pass


def chain_of_aliases(depth: int) -> Any:
    """``depth`` aliases, each naming the next, the last naming ``Item``."""
    alias: Any = Item
    for index in range(depth):
        alias = TypeAliasType(f"Level{index}", alias)  # type: ignore[misc]
    return alias


def test_a_chain_of_64_aliases_is_followed_and_65_is_refused() -> None:
    """64 aliases deep is still a value; one more is taken for an alias naming itself."""
    assert unwrap_alias(chain_of_aliases(64)) is Item
    with pytest.raises(InjectionError, match="never ends: it names itself"):
        unwrap_alias(chain_of_aliases(65))


Loop: Any = TypeAliasType("Loop", "Loop")  # names itself
GenericLoop: Any = TypeAliasType("GenericLoop", "GenericLoop[T]", type_params=(T,))  # type: ignore[arg-type]


def test_an_alias_naming_itself_is_refused_with_its_name() -> None:
    """The error names the alias four times over and gives it as ``requested``."""
    with pytest.raises(InjectionError) as raised:
        unwrap_alias(Loop)
    assert raised.value.message == (
        "The type alias Loop -> Loop -> Loop -> Loop ... never ends: it names itself."
    )
    assert raised.value.requested == "Loop"
    assert raised.value.hint == (
        "give the alias a value that is not (through other aliases) itself."
    )


def test_a_generic_alias_naming_itself_is_refused_with_its_name() -> None:
    """``GenericLoop[int]`` whose value is ``GenericLoop[T]``: the same error, by name."""
    with pytest.raises(InjectionError) as raised:
        unwrap_alias(GenericLoop[int])
    assert raised.value.message == (
        "The type alias GenericLoop -> GenericLoop -> GenericLoop -> GenericLoop ... never "
        "ends: it names itself."
    )


Ping: Any = TypeAliasType("Ping", "Pong")
Pong: Any = TypeAliasType("Pong", "Ping")


def test_two_aliases_naming_each_other_are_refused_by_the_first() -> None:
    """``Ping = Pong``, ``Pong = Ping``: the error shows the loop and requests ``Ping``."""
    with pytest.raises(InjectionError) as raised:
        unwrap_alias(Ping)
    assert raised.value.message == (
        "The type alias Ping -> Pong -> Ping -> Pong ... never ends: it names itself."
    )
    assert raised.value.requested == "Ping"


Plain = TypeAliasType("Plain", Item, type_params=(T,))


def test_a_generic_alias_of_a_plain_class_ignores_its_argument() -> None:
    """``Plain[int]`` whose value is the class ``Item`` (no parameters): ``Item``."""
    assert unwrap_alias(Plain[int]) is Item


Catalogue = TypeAliasType("Catalogue", dict[str, "Item"])


def test_a_quoted_name_in_a_later_argument_of_an_alias_value_is_evaluated() -> None:
    """``dict[str, "Item"]`` as an alias' value: the quoted second argument is evaluated,
    so a provider registered under the alias serves ``dict[str, Item]``."""
    c = Container()
    catalogue = {"a": Item()}

    @c.provider
    def items() -> Catalogue:
        return catalogue

    @c.inject
    def handler(found: dict[str, Item]) -> dict[str, Item]:
        return found

    assert unwrap_alias(Catalogue) == dict[str, Item]
    assert handler() is catalogue


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the `type` statement is Python 3.12+")
def test_a_type_statement_whose_value_cannot_be_evaluated_names_the_alias() -> None:
    """``type Broken = NotDefinedAnywhere``, evaluated when first used: the error names the
    alias and the missing name, and says to define it before the first call."""
    namespace: dict[str, Any] = {"Annotated": Annotated, "Depends": Depends}
    exec("type Broken = NotDefinedAnywhere", namespace)
    with pytest.raises(InjectionError) as raised:
        unwrap_alias(namespace["Broken"])
    assert raised.value.message == (
        "Cannot evaluate the value of the type alias Broken: name 'NotDefinedAnywhere' is "
        "not defined."
    )
    assert raised.value.requested == "Broken"
    assert raised.value.hint == (
        "define or import every name the alias uses before the function that uses the "
        "alias is first called."
    )


def test_an_alias_made_outside_any_module_names_the_quoted_name_it_cannot_find() -> None:
    """An alias created by code whose ``__name__`` is no module: its quoted names are looked
    up nowhere, and the error says which one is not defined."""
    namespace: dict[str, Any] = {"__name__": "generated", "TypeAliasType": TypeAliasType}
    exec('Orphan = TypeAliasType("Orphan", list["Item"])', namespace)
    with pytest.raises(InjectionError) as raised:
        unwrap_alias(namespace["Orphan"])
    assert raised.value.message == (
        "Cannot evaluate the type alias Orphan = list['Item']: name 'Item' is not defined."
    )
