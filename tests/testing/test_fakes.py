"""``fake`` and ``fake_resource``: stand-in providers a test can inspect afterwards."""

from __future__ import annotations

from typing import Annotated

import pytest

from injectkit import Container, Depends
from injectkit.testing import fake, fake_resource, override

pytestmark = pytest.mark.anyio


class Session:
    pass


class FakeSession(Session):
    pass


def container_with_session() -> Container:
    container = Container()
    container.register(Session)
    return container


async def test_fake_returns_its_value_and_counts_calls() -> None:
    """A fake provides the same object to every request and counts how often it was asked."""
    container = container_with_session()
    stand_in = fake(FakeSession())

    @container.inject
    async def handler(session: Session) -> Session:
        return session

    with override(container, {Session: stand_in}):
        assert await handler() is stand_in.value
        assert await handler() is stand_in.value
    assert stand_in.calls == 2


async def test_fake_of_a_callable_value_is_used_as_the_value() -> None:
    """A callable value (here a function) wrapped in fake() is handed out, not called."""
    container = Container()

    def real_clock() -> float:
        return 1.0

    def get_clock() -> object:
        return real_clock

    @container.inject
    async def handler(clock: Annotated[object, Depends(get_clock)]) -> object:
        return clock

    def frozen_clock() -> float:
        return 0.0

    with override(container, {get_clock: fake(frozen_clock)}):
        assert await handler() is frozen_clock


async def test_fake_that_raises_fails_the_call() -> None:
    """fake(raises=...) makes resolving the dependency raise that exception."""
    container = container_with_session()

    @container.inject
    async def handler(session: Session) -> Session:
        return session

    with override(container, {Session: fake(raises=ConnectionError("db down"))}):
        with pytest.raises(ConnectionError, match="db down"):
            await handler()


async def test_fake_resource_notes_teardown_and_the_error_thrown_in() -> None:
    """fake_resource counts values handed out and teardowns, and keeps a failed call's error."""
    container = container_with_session()
    resource = fake_resource(FakeSession())

    @container.inject
    async def handler(session: Session, fail: bool = False) -> Session:
        assert resource.opened == resource.closed + 1  # open while the handler runs
        if fail:
            raise ValueError("boom")
        return session

    with override(container, {Session: resource}):
        assert await handler() is resource.value
        with pytest.raises(ValueError, match="boom"):
            await handler(fail=True)
    assert (resource.opened, resource.closed) == (2, 2)
    assert [type(e) for e in resource.errors] == [ValueError]


def test_fakes_read_well_in_graphs() -> None:
    """A fake shows as fake(Type) in graphs, so a recording or an error names it clearly."""
    container = container_with_session()

    def handler(session: Session) -> None:
        pass

    with override(container, {Session: fake(FakeSession())}):
        assert (
            "fake(FakeSession) [request, overrides Session]" in container.graph(handler).to_text()
        )
    with override(container, {Session: fake_resource(FakeSession(), name="db")}):
        assert "fake_resource(db) [request, yield" in container.graph(handler).to_text()
