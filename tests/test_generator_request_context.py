"""Which request an injected generator runs in: the scope whose ``call`` made it even when
another is current, the request of the injected call it was started in, its own one
otherwise; what is current in its body, its providers and its cleanup, and what the
consumer finds current again afterwards."""

import contextvars
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import Annotated, Any

import pytest

from injectkit import Container, Depends, RequestScope


class Session:
    """A request-scoped value: one per request."""


def current(c: Container) -> RequestScope | None:
    return c.current_scope


class Probe:
    """Generator functions that report the request current in their body, their provider
    and their cleanup (``finally``), and the request-scoped Session they got."""

    def __init__(self, c: Container) -> None:
        self.c = c
        self.cleanup: list[RequestScope | None] = []
        self.provided: list[RequestScope | None] = []
        c.register(Session)

    def provider(self) -> Any:
        self.provided.append(self.c.current_scope)
        return self.c.current_scope

    def sync(self) -> Any:
        def stream(
            session: Session, seen: Annotated[Any, Depends(self.provider, scope="function")]
        ) -> Iterator[tuple[Any, ...]]:
            try:
                yield (self.c.current_scope, session)
                yield (self.c.current_scope, session)
            finally:
                self.cleanup.append(self.c.current_scope)

        return stream

    def asynchronous(self) -> Any:
        async def astream(
            session: Session, seen: Annotated[Any, Depends(self.provider, scope="function")]
        ) -> AsyncIterator[tuple[Any, ...]]:
            try:
                yield (self.c.current_scope, session)
                yield (self.c.current_scope, session)
            finally:
                self.cleanup.append(self.c.current_scope)

        return astream


def test_scope_call_of_a_generator_runs_in_that_scope_while_another_is_current() -> None:
    """``outer.call_sync(gen)`` inside ``inner``: the generator's body and cleanup see
    ``outer`` (and its Session); the consumer is back in ``inner`` after each step."""
    c = Container()
    p = Probe(c)
    stream = p.sync()
    with c.request() as outer, c.request() as inner:
        gen = outer.call_sync(stream)
        assert next(gen) == (outer, outer.resolve_sync(Session))
        assert c.current_scope is inner
        assert next(gen) == (outer, outer.resolve_sync(Session))
        assert c.current_scope is inner
        assert list(gen) == []
        assert c.current_scope is inner
        early = outer.call_sync(stream)
        next(early)
        early.close()
        assert c.current_scope is inner
    assert p.cleanup == [outer, outer]


@pytest.mark.anyio
async def test_scope_call_of_an_async_generator_runs_in_that_scope_while_another_is_current(
    anyio_backend: str,
) -> None:
    """The async twin: ``await outer.call(agen)`` inside ``inner`` runs in ``outer``."""
    c = Container()
    p = Probe(c)
    astream = p.asynchronous()
    async with c.request() as outer, c.request() as inner:
        gen = await outer.call(astream)
        assert await gen.__anext__() == (outer, await outer.resolve(Session))
        assert c.current_scope is inner
        assert await gen.__anext__() == (outer, await outer.resolve(Session))
        assert c.current_scope is inner
        assert [item async for item in gen] == []
        assert c.current_scope is inner
        early = await outer.call(astream)
        await early.__anext__()
        await early.aclose()
        assert c.current_scope is inner
    assert p.cleanup == [outer, outer]


def test_a_generator_of_its_own_request_sees_it_in_its_providers_body_and_cleanup() -> None:
    """With no request open: its provider, its body and its cleanup on an early close all
    see the generator's own request; the consumer sees none between steps."""
    c = Container()
    p = Probe(c)
    gen = c.inject(p.sync())()
    scope, _ = next(gen)
    assert scope is not None
    assert c.current_scope is None
    assert next(gen)[0] is scope
    gen.close()
    assert c.current_scope is None
    assert p.provided == [scope]
    assert p.cleanup == [scope]


@pytest.mark.anyio
async def test_an_async_generator_of_its_own_request_sees_it_everywhere(
    anyio_backend: str,
) -> None:
    """The async twin: provider, body and cleanup on aclose() see its own request."""
    c = Container()
    p = Probe(c)
    gen = c.inject(p.asynchronous())()
    scope, _ = await gen.__anext__()
    assert scope is not None
    assert c.current_scope is None
    assert (await gen.__anext__())[0] is scope
    await gen.aclose()
    assert c.current_scope is None
    assert p.provided == [scope]
    assert p.cleanup == [scope]


@pytest.mark.anyio
async def test_an_async_generator_that_fails_closes_its_function_scope_inside_its_request(
    anyio_backend: str,
) -> None:
    """Its function-scoped finalizer, run as its error ends it, sees its own request."""
    c = Container()
    seen: list[RequestScope | None] = []

    async def local() -> AsyncIterator[str]:
        try:
            yield "local"
        finally:
            seen.append(c.current_scope)

    @c.inject
    async def stream(
        loc: Annotated[str, Depends(local, scope="function")],
    ) -> AsyncIterator[RequestScope | None]:
        yield c.current_scope
        raise ValueError("broken")

    gen = stream()
    scope = await gen.__anext__()
    with pytest.raises(ValueError, match="broken"):
        await gen.__anext__()
    assert scope is not None
    assert seen == [scope]


def test_a_generator_started_in_an_injected_call_is_closed_when_the_call_returns() -> None:
    """Left unfinished inside an injected function's call, it joined that call's request:
    the call's end closes it, its cleanup, then its function-scoped finalizer."""
    c = Container()
    log: list[str] = []

    def connection() -> Iterator[str]:
        try:
            yield "conn"
        finally:
            log.append("connection closed")

    @c.inject
    def rows(conn: Annotated[str, Depends(connection, scope="function")]) -> Iterator[str]:
        try:
            yield f"{conn}-row1"
            yield f"{conn}-row2"
        finally:
            log.append("rows closed")

    @c.inject
    def first_row() -> str:
        return next(rows())

    assert first_row() == "conn-row1"
    assert log == ["rows closed", "connection closed"]


@pytest.mark.anyio
async def test_an_async_generator_started_in_an_injected_call_is_closed_when_it_returns(
    anyio_backend: str,
) -> None:
    """The async twin: the call's end acloses it, its cleanup, then its finalizer."""
    c = Container()
    log: list[str] = []

    async def connection() -> AsyncIterator[str]:
        try:
            yield "conn"
        finally:
            log.append("connection closed")

    @c.inject
    async def rows(
        conn: Annotated[str, Depends(connection, scope="function")],
    ) -> AsyncIterator[str]:
        try:
            yield f"{conn}-row1"
            yield f"{conn}-row2"
        finally:
            log.append("rows closed")

    @c.inject
    async def first_row() -> str:
        return await rows().__anext__()

    assert await first_row() == "conn-row1"
    assert log == ["rows closed", "connection closed"]


def test_a_generator_after_an_injected_call_in_the_same_context_has_its_own_request() -> None:
    """An injected call that returned leaves its ended request behind: a generator started
    next opens a request of its own (new values) and finalizes it when exhausted."""
    c = Container()
    c.register(Session)
    log: list[str] = []

    def connection() -> Iterator[str]:
        yield "conn"
        log.append("connection closed")

    @c.inject
    def session_of_a_call(session: Session) -> Session:
        return session

    @c.inject
    def stream(session: Session, conn: Annotated[str, Depends(connection)]) -> Iterator[Session]:
        yield session

    before = session_of_a_call()
    (streamed,) = list(stream())
    assert streamed is not before
    assert log == ["connection closed"]


def test_a_context_kept_from_inside_a_generator_has_no_request_once_it_ended() -> None:
    """A context copied in the generator's body, used after the generator ended: an
    injected call there opens a new request instead of joining the ended one."""
    c = Container()
    c.register(Session)
    kept: list[contextvars.Context] = []

    @c.inject
    def session_of_a_call(session: Session) -> Session:
        return session

    @c.inject
    def stream(session: Session) -> Iterator[Session]:
        kept.append(contextvars.copy_context())
        yield session

    (streamed,) = list(stream())
    assert kept[0].run(session_of_a_call) is not streamed
    assert kept[0].run(current, c) is None


@pytest.mark.anyio
async def test_a_context_kept_from_inside_an_async_generator_has_no_request_once_it_ended(
    anyio_backend: str,
) -> None:
    """The async twin: a context copied in its body has no current request afterwards."""
    c = Container()
    kept: list[contextvars.Context] = []

    @c.inject
    async def stream(session: Session) -> AsyncIterator[Session]:
        kept.append(contextvars.copy_context())
        yield session

    c.register(Session)
    assert len([s async for s in stream()]) == 1
    assert kept[0].run(current, c) is None


class Pause:
    """An awaitable that suspends the coroutine awaiting it once, with no event loop: the
    test resumes it by hand, in another context."""

    def __await__(self) -> Generator[str, None, None]:
        yield "paused"


def step_resumed_elsewhere(gen: Any) -> contextvars.Context:
    """Start ``gen``'s next step here, finish it in a copy of this context; return the copy."""
    step = gen.__anext__()
    assert step.send(None) == "paused"
    elsewhere = contextvars.copy_context()
    with pytest.raises(StopIteration) as done:
        elsewhere.run(step.send, None)
    assert done.value.value == "item"
    return elsewhere


async def paused_stream() -> AsyncGenerator[str, None]:
    await Pause()
    yield "item"


def test_a_step_finished_in_another_context_leaves_no_request_current_there() -> None:
    """A step of a generator of its own request, resumed in another context: that context
    has no current request afterwards (the one it was copied from had none)."""
    c = Container()
    stream = c.inject(paused_stream)

    def scenario() -> None:
        gen = stream()
        elsewhere = step_resumed_elsewhere(gen)
        assert elsewhere.run(current, c) is None
        with pytest.raises(StopIteration):
            gen.aclose().send(None)

    contextvars.Context().run(scenario)


@pytest.mark.anyio
async def test_a_step_finished_in_another_context_gives_it_back_its_request(
    anyio_backend: str,
) -> None:
    """``outer.call(agen)`` inside ``inner``, a step resumed in another context: ``inner``
    is current there afterwards, as it was before the step."""
    c = Container()
    async with c.request() as outer, c.request() as inner:
        gen = await outer.call(paused_stream)
        elsewhere = step_resumed_elsewhere(gen)
        assert elsewhere.run(current, c) is inner
        await gen.aclose()
