"""``call_provider``: one provider run with some inputs given and the rest resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated

import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.testing import call_provider, call_provider_sync, queued

pytestmark = pytest.mark.anyio


@dataclass
class Settings:
    dsn: str = "postgres://real"


@dataclass
class Session:
    dsn: str
    closed: bool = False


@dataclass
class User:
    name: str
    session: Session


def make_container() -> Container:
    container = Container()

    @container.provider(scope="app")
    def settings() -> Settings:
        return Settings()

    @container.provider
    def session(settings: Settings) -> Iterator[Session]:
        made = Session(settings.dsn)
        yield made
        made.closed = True

    return container


def current_user_name(user_id: int) -> str:
    return f"user-{user_id}"


def get_user(session: Session, name: Annotated[str, Depends(current_user_name)]) -> User:
    return User(name, session)


async def test_inputs_by_name_replace_those_dependencies() -> None:
    """A value named after a parameter is used for it; the other parameters resolve as usual."""
    container = make_container()
    user = await call_provider(container, get_user, name="alice")
    assert user.name == "alice"
    assert user.session.dsn == "postgres://real"


async def test_inputs_by_type_replace_those_dependencies() -> None:
    """A value keyed by a parameter's type is used for every parameter of that type."""
    container = make_container()
    fake = Session("sqlite://")
    user = await call_provider(container, get_user, {Session: fake}, user_id=7)
    assert user.session is fake
    assert user.name == "user-7"


async def test_other_names_reach_free_parameters_deeper_in_the_graph() -> None:
    """A name that is not the provider's own goes to the free parameters of its graph."""
    container = make_container()
    user = await call_provider(container, get_user, user_id=3)
    assert user.name == "user-3"


async def test_an_unknown_name_lists_the_accepted_ones() -> None:
    """A name matching no parameter anywhere is an InjectionError naming what is accepted."""
    container = make_container()
    with pytest.raises(InjectionError, match="user_id"):
        await call_provider(container, get_user, usr_id=3)


async def test_a_type_no_parameter_has_is_an_error_with_a_hint() -> None:
    """inputs for a type the provider does not take point the user at override()."""
    container = make_container()
    with pytest.raises(
        InjectionError,
        match=r"no parameter of get_user is\nannotated with Settings \(its parameters",
    ) as info:
        await call_provider(container, get_user, {Settings: Settings()}, name="x")
    assert info.value.hint is not None and "override" in info.value.hint


async def test_generator_provider_is_torn_down_when_its_own_scope_closes() -> None:
    """Outside any scope the call opens one, so the provider's teardown has run on return."""
    container = make_container()
    session = await call_provider(container, Session)
    assert session.dsn == "postgres://real"
    assert session.closed


async def test_inside_an_open_scope_the_value_lives_until_the_scope_closes() -> None:
    """In an open request scope the provider's teardown waits for that scope's end."""
    container = make_container()
    async with container.request() as scope:
        session = await call_provider(scope, Session)
        also = await call_provider(container, Session)  # the container's current scope
        assert not session.closed and not also.closed
        assert also is not session  # always a fresh call, never a cached value
    assert session.closed and also.closed


async def test_async_generator_providers_and_background_tasks() -> None:
    """An async generator provider runs with the scope's BackgroundTasks like in a request."""
    container = Container()
    events: list[str] = []

    def audit(message: str) -> None:
        events.append(message)

    async def connection(tasks: BackgroundTasks, dsn: str) -> AsyncIterator[str]:
        tasks.add_task(audit, f"opened {dsn}")
        yield dsn.upper()
        events.append("closed")

    async with container.request() as scope:
        assert await call_provider(scope, connection, dsn="db") == "DB"
        assert list(scope.background_tasks.tasks) == [queued(audit, "opened db")]
        assert events == []
    assert events == ["opened db", "closed"]


async def test_registered_type_runs_its_overridden_provider() -> None:
    """Given a registered type, the provider in effect (overrides applied) is the one run."""
    container = make_container()

    def other_session() -> Session:
        return Session("other://")

    with container.override(Session, other_session):
        assert (await call_provider(container, Session)).dsn == "other://"


def test_sync_twin_runs_sync_graphs() -> None:
    """call_provider_sync resolves a sync provider and closes its own scope before returning."""
    container = make_container()
    user = call_provider_sync(container, get_user, name="bob")
    assert user.name == "bob" and user.session.closed


def test_sync_twin_refuses_async_providers() -> None:
    """An async provider cannot be resolved by call_provider_sync: an InjectionError says so."""
    container = Container()

    async def numbers() -> int:
        return 1

    with pytest.raises(InjectionError, match="numbers"):
        call_provider_sync(container, numbers)


async def test_first_argument_must_be_a_container_or_scope() -> None:
    """Passing something else first is an InjectionError, not an AttributeError."""
    with pytest.raises(InjectionError, match="Container or a RequestScope"):
        await call_provider(object(), get_user)  # type: ignore[call-overload]


async def test_errors_name_the_provider_in_the_chain() -> None:
    """A dependency nothing provides is reported with the provider's name in the chain."""
    container = Container()

    class Mailer:
        pass

    def send(mailer: Mailer) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        await call_provider(container, send)
    assert info.value.path[-1] == "send"
