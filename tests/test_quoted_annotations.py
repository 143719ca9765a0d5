"""Quotes kept around an annotation in a module with ``from __future__ import
annotations`` (``-> "Session"``, stored as ``"'Session'"``) name the type, as they do for
``typing.get_type_hints``: a provider provides it and a parameter asks for it."""

from __future__ import annotations

from injectkit import Container


class Session:
    pass


def make_session() -> "Session":  # noqa: UP037 - the quotes are what is tested
    return Session()


def handler(session: "Session") -> str:  # noqa: UP037 - the quotes are what is tested
    return type(session).__name__


def test_a_quoted_return_annotation_provides_the_type_it_names() -> None:
    """``-> "Session"`` provides Session, and ``session: "Session"`` receives it."""
    c = Container()
    c.provider(make_session)
    assert c.inject(handler)() == "Session"
