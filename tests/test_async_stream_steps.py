"""Injected async generator handlers, step by step: the arguments and sent values they get,
what a thrown exception or a failing finalizer turns into, and which request is current
in the generator, in its finalizers and between its steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from _stream_events import EventsBase

from injectkit import Container, Depends

pytestmark = pytest.mark.anyio


class Events(EventsBase):
    """Providers that log what they see, one of which fails its rollback."""

    async def session(self) -> AsyncIterator[str]:
        with self.session_events():
            yield "session"


async def test_an_async_generator_gets_positional_arguments_and_sent_values(
    anyio_backend: str,
) -> None:
    """Positional arguments reach it, on its own request and inside an open one, and
    each value sent with asend() is what its yield returns."""
    c = Container()
    e = Events(c)

    @c.inject
    async def echo(prefix: str, s: Annotated[str, Depends(e.session)]) -> AsyncIterator[str]:
        received = yield f"{prefix}-{s}"
        while received is not None:
            received = yield f"{prefix}-{received}"

    for _ in range(2):
        gen = echo("p")
        assert await gen.asend(None) == "p-session"
        assert await gen.asend("x") == "p-x"
        assert await gen.asend("y") == "p-y"
        with pytest.raises(StopAsyncIteration):
            await gen.asend(None)
    async with c.request():
        joined = echo("q")
        assert await joined.asend(None) == "q-session"
        assert await joined.asend("z") == "q-z"
        await joined.aclose()
    assert e.log.count("session closed") == 3


async def test_a_thrown_exception_an_async_generator_handles_lets_it_go_on(
    anyio_backend: str,
) -> None:
    """An exception thrown in and caught by the generator does not end it."""
    c = Container()
    e = Events(c)

    @c.inject
    async def stream(s: Annotated[str, Depends(e.session)]) -> AsyncIterator[str]:
        try:
            yield "a"
        except ValueError:
            yield "recovered"
        yield "b"

    gen = stream()
    assert await gen.__anext__() == "a"
    assert await gen.athrow(ValueError("x")) == "recovered"
    assert [item async for item in gen] == ["b"]
    assert e.log == ["session open", "session closed"]


async def test_a_finalizer_failing_on_an_error_thrown_in_replaces_it(anyio_backend: str) -> None:
    """An exception thrown into the stream that a finalizer turns into another: the consumer
    gets the finalizer's, chained to the first."""
    c = Container()
    e = Events(c)

    @c.inject
    async def stream(s: Annotated[str, Depends(e.session)]) -> AsyncIterator[str]:
        yield s
        yield s

    gen = stream()
    assert await gen.__anext__() == "session"
    with pytest.raises(OSError, match="rollback failed") as raised:
        await gen.athrow(LookupError("gone"))
    assert isinstance(raised.value.__cause__, LookupError)
    assert e.log == ["session open", "rollback failed", "session closed"]


async def test_a_finalizer_failing_on_an_error_at_the_first_step_replaces_it(
    anyio_backend: str,
) -> None:
    """A provider failing at the first step whose already-built dependency's finalizer
    fails in turn: the consumer gets the finalizer's error."""
    c = Container()
    e = Events(c)

    def user(s: Annotated[str, Depends(e.session)]) -> str:
        raise LookupError("no user")

    @c.inject
    async def stream(u: Annotated[str, Depends(user)]) -> AsyncIterator[str]:
        yield u

    with pytest.raises(OSError, match="rollback failed") as raised:
        await stream().__anext__()
    assert isinstance(raised.value.__cause__, LookupError)
    assert e.log == ["session open", "rollback failed", "session closed"]


async def test_a_plain_error_at_the_first_step_reaches_the_consumer(anyio_backend: str) -> None:
    """A provider failing at the first step, its finalizers passing the error on: the
    consumer gets that very exception."""
    c = Container()
    e = Events(c)
    failure = RuntimeError("no user")

    def user(s: Annotated[str, Depends(e.session)]) -> str:
        raise failure

    @c.inject
    async def stream(u: Annotated[str, Depends(user)]) -> AsyncIterator[str]:
        yield u

    with pytest.raises(RuntimeError) as raised:
        await stream().__anext__()
    assert raised.value is failure
    assert e.log == ["session open", "session saw RuntimeError", "session closed"]


async def test_the_request_of_an_async_generator_is_current_only_inside_it(
    anyio_backend: str,
) -> None:
    """Inside the generator and its function-scoped finalizers its request is current (its
    own, or the one it joined); between steps the consumer's is."""
    c = Container()
    e = Events(c)

    @c.inject
    async def stream(
        loc: Annotated[str, Depends(e.local, scope="function")],
    ) -> AsyncIterator[Any]:
        yield c.current_scope
        yield c.current_scope

    gen = stream()
    own = await gen.__anext__()
    assert own is not None
    assert c.current_scope is None
    assert await gen.__anext__() is own
    assert c.current_scope is None
    assert [item async for item in gen] == []
    async with c.request() as scope:
        joined = stream()
        assert await joined.__anext__() is scope
        assert c.current_scope is scope
        assert await joined.__anext__() is scope
        assert [item async for item in joined] == []
        assert c.current_scope is scope
    assert e.log == ["local closed in a request: True"] * 2
