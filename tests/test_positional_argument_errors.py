"""What a call passing too many positional values, or a value twice, is told: the whole
message, its chain, and the fix that fits where the extra values landed."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import Container, InjectionError


class Session:
    pass


class Clock:
    pass


def session(limit: int = 10, page: int = 1) -> Session:
    return Session()


c = Container()
c.register(Session, session)
c.register(Clock, Clock)


@c.inject
def create_note(title: str, s: Session, clock: Clock) -> None:
    """Positional spots after title are injected."""


@c.inject
def list_notes(title: str, *, s: Session) -> None:
    """Injected keyword-only; session's free parameters take keywords."""


@c.inject
def tick(*, clock: Clock) -> None:
    """No parameter is filled from the call."""


@c.inject
def edit_note(title: str, body: str) -> None:
    """Two free positional parameters."""


HINT_INJECTED = (
    "injected parameters cannot be passed by\n"
    "        the caller (override their dependency instead)."
)
HINT_NOTHING = "leave out the extra value(s): no other parameter of its graph takes one."


@pytest.mark.parametrize(
    ("handler", "args", "message"),
    [
        (
            create_note,
            ("t", 1),
            "create_note takes 1 positional argument(s) that are\n"
            "not injected (title), but 2 were given.\n"
            "  chain: create_note\n"
            f"  hint: leave out the value(s) for s: {HINT_INJECTED}",
        ),
        (
            create_note,
            ("t", 1, 2),
            "create_note takes 1 positional argument(s) that are\n"
            "not injected (title), but 3 were given.\n"
            "  chain: create_note\n"
            "  hint: leave out the value(s) for s, clock: injected parameters cannot be\n"
            "        passed by the caller (override their dependency instead).",
        ),
        (
            list_notes,
            ("t", 5),
            "list_notes takes 1 positional argument(s) that are not\n"
            "injected (title), but 2 were given.\n"
            "  chain: list_notes\n"
            "  hint: pass the other values by keyword; the names that take one: limit, page.",
        ),
        (
            tick,
            (1,),
            "tick takes 0 positional argument(s) that are not\n"
            "injected (none), but 1 were given.\n"
            "  chain: tick\n"
            f"  hint: {HINT_NOTHING}",
        ),
        (
            edit_note,
            ("x", "y", "z"),
            "edit_note takes 2 positional argument(s) that are not\n"
            "injected (title, body), but 3 were given.\n"
            "  chain: edit_note\n"
            f"  hint: {HINT_NOTHING}",
        ),
    ],
    ids=["one-injected-spot", "injected-spots-filled", "free-keywords", "none", "two-free"],
)
def test_too_many_positional_values_name_the_spots_and_the_fix(
    handler: Any, args: tuple[Any, ...], message: str
) -> None:
    """The error says how many positional values the handler takes and which, and the
    hint names only the injected spots the extra values filled, the keywords that take
    a value, or says nothing else takes one."""
    with pytest.raises(InjectionError) as raised:
        handler(*args)
    assert str(raised.value) == message
    assert raised.value.path == (handler.__name__,)


def test_values_given_both_ways_are_named_sorted() -> None:
    """A value given by position and by keyword too is refused, every such name listed."""
    with pytest.raises(InjectionError) as raised:
        edit_note("x", "y", title="a", body="b")
    assert str(raised.value) == "edit_note got multiple values for body, title.\n  chain: edit_note"
    assert raised.value.path == ("edit_note",)
