"""An override replaces how a value is made, never what a call may pass (design §3)."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from injectkit import Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


class User:
    def __init__(self, name: str) -> None:
        self.name = name


def current_user(x_token: str) -> User:
    return User(x_token)


def fake_user() -> User:
    return User("fake")


def named_fake_user(name: str = "named fake") -> User:
    return User(name)


def make_container() -> tuple[Container, Any]:
    c = Container()

    @c.inject
    async def create_note(title: str, user: Annotated[User, Depends(current_user)]) -> str:
        return f"{title} by {user.name}"

    return c, create_note


async def test_a_name_the_replaced_provider_took_stays_accepted() -> None:
    """create_note(title=..., x_token=...) works the same with current_user overridden."""
    c, create_note = make_container()
    assert await create_note(title="t", x_token="ada") == "t by ada"
    with c.override(current_user, fake_user):
        assert await create_note(title="t", x_token="ada") == "t by fake"
        assert await create_note(title="t") == "t by fake"
    assert await create_note(title="t", x_token="ada") == "t by ada"


async def test_local_and_permanent_overrides_keep_the_names_too() -> None:
    """override(local=True) and container.overrides[...] keep the accepted names as well."""
    c, create_note = make_container()
    with c.override(current_user, fake_user, local=True):
        assert await create_note(title="t", x_token="ada") == "t by fake"
    c.overrides[current_user] = fake_user
    assert await create_note(title="t", x_token="ada") == "t by fake"


async def test_the_replacements_own_free_parameters_are_added() -> None:
    """A replacement's free parameter is filled from the call, beside the old names."""
    c, create_note = make_container()
    with c.override(current_user, named_fake_user):
        assert await create_note(title="t", x_token="ada", name="bob") == "t by bob"
        assert await create_note(title="t", x_token="ada") == "t by named fake"


async def test_a_registered_types_override_keeps_its_providers_names() -> None:
    """Overriding a registered type keeps the names its registered provider took."""
    c = Container()
    c.register(User, current_user)

    @c.inject
    async def whoami(user: User) -> str:
        return user.name

    with c.override(User, User("value")):
        assert await whoami(x_token="ada") == "value"


async def test_an_unknown_name_under_an_override_lists_every_accepted_name() -> None:
    """Under an override the error for a wrong name lists the old and the new names."""
    c, create_note = make_container()
    with c.override(current_user, named_fake_user), pytest.raises(InjectionError) as caught:
        await create_note(title="t", x_tokn="ada")
    message = str(caught.value)
    assert "'x_tokn': did you mean 'x_token'?" in message
    assert "The names a call may pass are: name,\n        title, x_token." in message


def test_a_positional_argument_stays_accepted_when_an_override_injects_its_parameter() -> None:
    """A root parameter an override makes injected still takes its positional argument."""

    class Clock:
        def __init__(self, now: int = 0) -> None:
            self.now = now

    c = Container()

    @c.inject
    def stamp(label: str, clock: Clock) -> str:
        return f"{label}@{clock.now}"

    assert stamp("a", Clock(1)) == "a@1"
    with c.override(Clock, Clock(9)):
        assert stamp("a", Clock(1)) == "a@9"
        assert stamp("a") == "a@9"


def test_an_override_adds_no_work_per_call() -> None:
    """A name kept only for the caller's sake is not read per call: the plan skips it."""
    c, create_note = make_container()
    assert "f1 = kw.get(fn1, fd1)" in c.plan_source(create_note)  # title and x_token
    with c.override(current_user, fake_user):
        during = c.plan_source(create_note)
    assert "f0 = kw.get(fn0, fd0)" in during
    assert "f1 =" not in during  # x_token is accepted, and nothing reads it
