"""A quoted name inside an annotation (``dict[str, "Item"]``, as older code writes even
under ``from __future__ import annotations``) is evaluated like the rest of it."""

from __future__ import annotations

from injectkit import Container


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


class Item:  # defined after the test, as a forward reference is
    pass
