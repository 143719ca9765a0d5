"""Quotes kept around an annotation in a module with ``from __future__ import
annotations`` (``-> "Session"``, stored as ``"'Session'"``) name the type, as they do for
``typing.get_type_hints``: a provider provides it and a parameter asks for it."""

from __future__ import annotations

from injectkit import Container


class Session:
    pass


def quoted_provider() -> "Session":  # noqa: UP037 - the quotes are what is tested
    return Session()


def plain_provider() -> Session:
    return Session()


def quoted_handler(session: "Session") -> str:  # noqa: UP037 - the quotes are what is tested
    return type(session).__name__


def plain_handler(session: Session) -> str:
    return type(session).__name__


def test_a_quoted_return_annotation_provides_the_type_it_names() -> None:
    """``-> "Session"`` provides Session itself: a ``session: Session`` parameter gets it."""
    c = Container()
    c.provider(quoted_provider)
    assert c.inject(plain_handler)() == "Session"


def test_a_quoted_parameter_annotation_asks_for_the_type_it_names() -> None:
    """``session: "Session"`` asks for Session itself: a ``-> Session`` provider gives it."""
    c = Container()
    c.provider(plain_provider)
    assert c.inject(quoted_handler)() == "Session"


def quoted_inside() -> dict[str, "Session"]:  # noqa: UP037 - the quotes are what is tested
    return {"main": Session()}


def test_a_type_quoted_inside_a_generic_names_the_type() -> None:
    """``-> dict[str, "Session"]`` provides ``dict[str, Session]``: the quoted argument,
    second in the brackets, names the class too."""
    c = Container()
    c.provider(quoted_inside)

    @c.inject
    def handler(sessions: dict[str, Session]) -> str:
        return type(sessions["main"]).__name__

    assert handler() == "Session"
