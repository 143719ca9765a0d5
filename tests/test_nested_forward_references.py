"""A quoted name inside an annotation (``dict[str, "Item"]``, as older code writes even
under ``from __future__ import annotations``) is evaluated like the rest of it."""

from __future__ import annotations

from typing import Annotated

from typing_extensions import Doc

from injectkit import Container, Depends


def test_a_quoted_name_inside_a_generic_return_annotation_is_evaluated() -> None:
    """``-> dict[str, "Item"]`` provides ``dict[str, Item]``, which a handler asks for."""
    c = Container()
    catalogue = {"a": Item()}

    @c.provider
    def items() -> dict[str, "Item"]:  # noqa: UP037 - the quotes are what is under test
        return catalogue

    @c.inject
    def handler(found: dict[str, Item]) -> dict[str, Item]:
        return found

    assert handler() is catalogue


def test_a_quoted_name_two_generics_deep_is_evaluated() -> None:
    """``-> dict[str, list["Item"]]``: the quoted name inside the inner generic too."""
    c = Container()
    catalogue = {"a": [Item()]}

    @c.provider
    def items() -> dict[str, list["Item"]]:  # noqa: UP037 - the quotes are what is under test
        return catalogue

    @c.inject
    def handler(found: dict[str, list[Item]]) -> dict[str, list[Item]]:
        return found

    assert handler() is catalogue


def test_a_quoted_name_inside_annotated_inside_a_generic_is_evaluated() -> None:
    """``-> dict[str, Annotated["Item", Doc(...)]]``: Annotated's type is evaluated, its
    metadata left alone."""
    c = Container()
    catalogue = {"a": Item()}

    @c.provider
    def items() -> dict[str, Annotated["Item", Doc("by code")]]:  # noqa: UP037
        return catalogue

    @c.inject
    def handler(
        found: dict[str, Annotated[Item, Doc("by code")]],
    ) -> dict[str, Annotated[Item, Doc("by code")]]:
        return found

    assert handler() is catalogue


def test_a_quoted_class_marked_depends_is_evaluated_and_called() -> None:
    """``Annotated["Item", Depends()]``: the quoted class is what Depends() calls."""
    c = Container()

    @c.inject
    def handler(item: Annotated["Item", Depends()]) -> Item:  # noqa: UP037
        return item

    assert isinstance(handler(), Item)


class Item:  # defined after the test, as a forward reference is
    pass
