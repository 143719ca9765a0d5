"""With concurrent=True, which providers run together: the async providers of one level
(all their dependencies built), whatever the depth of the app-scoped values they use, each
generator finalized with its own scope, and the handler once, after all of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import pytest

from injectkit import Container, Depends

pytestmark = pytest.mark.anyio


class Config:
    pass


class Pool:
    pass


class Reader:
    pass


class Writer:
    pass


class Meeting:
    """Each of two providers waits here until the other has arrived: both only get past
    it when they run at the same time (run one after the other, the first waits forever)."""

    def __init__(self) -> None:
        self._arrived = {"first": anyio.Event(), "second": anyio.Event()}

    async def arrive(self, who: str) -> None:
        self._arrived[who].set()
        other = "second" if who == "first" else "first"
        await self._arrived[other].wait()


async def test_the_handler_runs_once_after_its_concurrent_providers() -> None:
    """The providers run together, then the handler runs once with their values."""
    c = Container(concurrent=True)
    meeting = Meeting()
    calls: list[str] = []

    async def reader() -> Reader:
        await meeting.arrive("first")
        calls.append("reader")
        return Reader()

    async def writer() -> Writer:
        await meeting.arrive("second")
        calls.append("writer")
        return Writer()

    c.register(Reader, reader)
    c.register(Writer, writer)

    @c.inject
    async def handler(r: Reader, w: Writer) -> str:
        calls.append("handler")
        return f"{type(r).__name__} {type(w).__name__}"

    with anyio.fail_after(5):
        assert await handler() == "Reader Writer"
    assert sorted(calls[:2]) == ["reader", "writer"]
    assert calls[2:] == ["handler"]


async def test_a_provider_of_a_deep_app_value_runs_with_its_siblings() -> None:
    """An app-scoped value is built on its own, so a provider using one that itself needs
    another app value still runs together with a sibling that needs only the first."""
    c = Container(concurrent=True)
    meeting = Meeting()

    def config() -> Config:
        return Config()

    def pool(config: Config) -> Pool:
        return Pool()

    async def reader(pool: Pool) -> Reader:
        await meeting.arrive("first")
        return Reader()

    async def writer(config: Config) -> Writer:
        await meeting.arrive("second")
        return Writer()

    c.register(Config, config, scope="app")
    c.register(Pool, pool, scope="app")
    c.register(Reader, reader)
    c.register(Writer, writer)

    @c.inject
    async def handler(r: Reader, w: Writer) -> str:
        return f"{type(r).__name__} {type(w).__name__}"

    with anyio.fail_after(5):  # one after the other, the first would wait forever
        assert await handler() == "Reader Writer"
        assert await handler() == "Reader Writer"  # the app values are built by now


async def test_function_scoped_generators_run_together_and_close_with_the_call() -> None:
    """Function-scoped async generators run together and are closed as the call returns,
    before the request that outlives the call closes its own."""
    c = Container(concurrent=True)
    meeting = Meeting()
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        yield "session"
        events.append("session closed")

    async def first() -> AsyncIterator[str]:
        await meeting.arrive("first")
        yield "first"
        events.append("first closed")

    async def second() -> AsyncIterator[str]:
        await meeting.arrive("second")
        yield "second"
        events.append("second closed")

    @c.inject
    async def handler(
        s: Annotated[str, Depends(session)],
        a: Annotated[str, Depends(first, scope="function")],
        b: Annotated[str, Depends(second, scope="function")],
    ) -> str:
        events.append("handler")
        return f"{s} {a} {b}"

    with anyio.fail_after(5):
        async with c.request():
            assert await handler() == "session first second"
            assert events[0] == "handler"
            assert sorted(events[1:]) == ["first closed", "second closed"]
        assert events[3:] == ["session closed"]
