"""Injected generator and async-generator functions: the request lives as long as the stream."""

import gc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

import anyio
import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError


class Resources:
    """A request-scoped and a function-scoped generator provider that log what they see."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def session(self) -> Iterator[str]:
        self.events.append("session open")
        try:
            yield "session"
        except BaseException as exc:
            self.events.append(f"session saw {type(exc).__name__}")
            raise
        else:
            self.events.append("session commit")
        finally:
            self.events.append("session closed")

    async def asession(self) -> AsyncIterator[str]:
        self.events.append("session open")
        try:
            yield "session"
        except BaseException as exc:
            self.events.append(f"session saw {type(exc).__name__}")
            raise
        else:
            self.events.append("session commit")
        finally:
            await anyio.sleep(0)  # an await in a finalizer: the close must be async
            self.events.append("session closed")

    def local(self) -> Iterator[str]:
        try:
            yield "local"
        finally:
            self.events.append("local closed")


def sync_stream(c: Container, r: Resources) -> Callable[..., Iterator[str]]:
    @c.inject
    def stream(
        s: Annotated[str, Depends(r.session)],
        loc: Annotated[str, Depends(r.local, scope="function")],
        tasks: BackgroundTasks,
        n: int = 3,
    ) -> Iterator[str]:
        tasks.add_task(r.events.append, "task")
        for i in range(n):
            r.events.append(f"chunk {i}")
            yield f"{s}-{loc}-{i}"

    return stream


def async_stream(c: Container, r: Resources) -> Callable[..., AsyncIterator[str]]:
    @c.inject
    async def stream(
        s: Annotated[str, Depends(r.asession)],
        loc: Annotated[str, Depends(r.local, scope="function")],
        tasks: BackgroundTasks,
        n: int = 3,
    ) -> AsyncIterator[str]:
        tasks.add_task(r.events.append, "task")
        for i in range(n):
            await anyio.sleep(0)
            r.events.append(f"chunk {i}")
            yield f"{s}-{loc}-{i}"

    return stream


EXHAUSTED = [
    "session open",
    "chunk 0",
    "chunk 1",
    "chunk 2",
    "local closed",
    "task",
    "session commit",
    "session closed",
]
# Closed after its first chunk: the finalizers see GeneratorExit, the task is dropped.
CLOSED_EARLY = [
    "session open",
    "chunk 0",
    "local closed",
    "session saw GeneratorExit",
    "session closed",
]


def assert_ended_by(r: Resources, error: str) -> None:
    """The stream ended with ``error``: its finalizers saw it, its task was dropped."""
    assert r.events[-3:] == ["local closed", f"session saw {error}", "session closed"]
    assert "task" not in r.events


def test_sync_generator_keeps_its_request_open_until_exhausted() -> None:
    """A sync injected generator: chunks, then its function scope, tasks, finalizers."""
    c, r = Container(), Resources()
    stream = sync_stream(c, r)
    got = []
    for item in stream():
        got.append(item)
        assert r.events[-1].startswith("chunk")  # nothing closed while it streams
    assert got == ["session-local-0", "session-local-1", "session-local-2"]
    assert r.events == EXHAUSTED


@pytest.mark.anyio
async def test_async_generator_keeps_its_request_open_until_exhausted(anyio_backend: str) -> None:
    """An async injected generator: chunks, then its function scope, tasks, finalizers."""
    c, r = Container(), Resources()
    stream = async_stream(c, r)
    got = [item async for item in stream()]
    assert got == ["session-local-0", "session-local-1", "session-local-2"]
    assert r.events == EXHAUSTED


def test_nothing_runs_before_the_first_step() -> None:
    """Calling an injected generator function resolves nothing, like any generator."""
    c, r = Container(), Resources()
    stream = sync_stream(c, r)
    gen = stream()
    assert r.events == []
    assert next(gen) == "session-local-0"
    gen.close()


def test_close_early_runs_finalizers_with_generator_exit_and_drops_tasks() -> None:
    """close() mid-stream: the finalizers see GeneratorExit (no commit), tasks are dropped."""
    c, r = Container(), Resources()
    gen = sync_stream(c, r)()
    assert next(gen) == "session-local-0"
    gen.close()
    assert r.events == CLOSED_EARLY
    gen.close()  # closing again does nothing
    assert r.events[-1] == "session closed"


@pytest.mark.anyio
async def test_aclose_early_runs_async_finalizers(anyio_backend: str) -> None:
    """aclose() mid-stream: async finalizers run with GeneratorExit, tasks are dropped."""
    c, r = Container(), Resources()
    gen = async_stream(c, r)()
    assert await gen.__anext__() == "session-local-0"
    await gen.aclose()
    assert r.events == CLOSED_EARLY


def test_exception_thrown_in_by_the_consumer_reaches_the_finalizers() -> None:
    """gen.throw(exc) that the generator does not handle ends it; its finalizers see exc."""
    c, r = Container(), Resources()
    gen = sync_stream(c, r)()
    next(gen)
    with pytest.raises(KeyError):
        gen.throw(KeyError("consumer"))
    assert_ended_by(r, "KeyError")


@pytest.mark.anyio
async def test_exception_thrown_into_an_async_generator_reaches_the_finalizers(
    anyio_backend: str,
) -> None:
    """agen.athrow(exc) that the generator does not handle: its finalizers see exc."""
    c, r = Container(), Resources()
    gen = async_stream(c, r)()
    await gen.__anext__()
    with pytest.raises(KeyError):
        await gen.athrow(KeyError("consumer"))
    assert_ended_by(r, "KeyError")


def test_a_thrown_exception_the_generator_handles_lets_it_go_on() -> None:
    """An exception the generator catches does not end it; the finalizers see none."""
    c = Container()
    r = Resources()

    @c.inject
    def stream(s: Annotated[str, Depends(r.session)]) -> Iterator[str]:
        try:
            yield "a"
        except ValueError:
            yield "recovered"
        yield "b"

    gen = stream()
    assert next(gen) == "a"
    assert gen.throw(ValueError("x")) == "recovered"
    assert list(gen) == ["b"]
    assert r.events == ["session open", "session commit", "session closed"]


def test_an_error_raised_by_the_generator_reaches_the_finalizers() -> None:
    """The generator's own exception is thrown into its finalizers and reaches the consumer."""
    c, r = Container(), Resources()

    @c.inject
    def stream(s: Annotated[str, Depends(r.session)], tasks: BackgroundTasks) -> Iterator[str]:
        tasks.add_task(r.events.append, "task")
        yield "a"
        raise RuntimeError("broken stream")

    with pytest.raises(RuntimeError, match="broken stream"):
        list(stream())
    assert r.events == ["session open", "session saw RuntimeError", "session closed"]


@pytest.mark.anyio
async def test_tasks_run_after_the_last_chunk_is_consumed(anyio_backend: str) -> None:
    """Background tasks added while streaming run once the consumer has had every chunk."""
    c = Container()
    seen: list[str] = []

    @c.inject
    async def stream(tasks: BackgroundTasks) -> AsyncIterator[int]:
        for i in range(3):
            tasks.add_task(seen.append, f"task {i}")
            yield i

    async for i in stream():
        seen.append(f"got {i}")
    assert seen == ["got 0", "got 1", "got 2", "task 0", "task 1", "task 2"]


def test_the_return_value_of_a_generator_is_kept() -> None:
    """`yield from` an injected generator gives its return value."""
    c = Container()

    @c.inject
    def stream() -> Iterator[int]:
        yield 1
        return "done"  # type: ignore[misc]

    def consumer() -> Iterator[Any]:
        result = yield from stream()
        yield result

    assert list(consumer()) == [1, "done"]


def test_contextmanager_around_an_injected_generator() -> None:
    """@contextmanager over an injected generator: the body's error reaches the providers."""
    c, r = Container(), Resources()

    @contextmanager
    @c.inject
    def transaction(s: Annotated[str, Depends(r.session)]) -> Iterator[str]:
        yield s

    with transaction() as value:
        assert value == "session"
        assert r.events == ["session open"]
    assert r.events == ["session open", "session commit", "session closed"]
    r.events.clear()
    with pytest.raises(ValueError), transaction():
        raise ValueError("body failed")
    assert r.events == ["session open", "session saw ValueError", "session closed"]


@pytest.mark.anyio
async def test_asynccontextmanager_around_an_injected_async_generator(anyio_backend: str) -> None:
    """@asynccontextmanager over an injected async generator works like a provider."""
    c, r = Container(), Resources()

    @asynccontextmanager
    @c.inject
    async def transaction(s: Annotated[str, Depends(r.asession)]) -> AsyncIterator[str]:
        yield s

    async with transaction() as value:
        assert value == "session"
    assert r.events == ["session open", "session commit", "session closed"]
    r.events.clear()
    with pytest.raises(ValueError):
        async with transaction():
            raise ValueError("body failed")
    assert r.events == ["session open", "session saw ValueError", "session closed"]


@pytest.mark.anyio
async def test_injected_generator_as_a_depends_target_is_a_generator_provider(
    anyio_backend: str,
) -> None:
    """Depends(injected_gen): the yielded item is the value, the rest its finalizer."""
    c, r = Container(), Resources()

    @c.inject
    async def user(s: Annotated[str, Depends(r.asession)]) -> AsyncIterator[str]:
        try:
            yield f"user of {s}"
        except ValueError:
            r.events.append("user saw ValueError")
            raise
        r.events.append("user closed")

    @c.inject
    async def handler(u: Annotated[str, Depends(user)]) -> str:
        r.events.append(u)
        return u

    assert await handler() == "user of session"
    assert r.events == [
        "session open",
        "user of session",
        "user closed",
        "session commit",
        "session closed",
    ]

    @c.inject
    async def failing(u: Annotated[str, Depends(user)]) -> str:
        raise ValueError("handler failed")

    r.events.clear()
    with pytest.raises(ValueError):
        await failing()
    assert r.events[1:3] == ["user saw ValueError", "session saw ValueError"]


def test_an_injected_generator_yielding_twice_as_a_dependency_is_an_error() -> None:
    """A streaming generator used as a dependency must yield once, as every provider must."""
    c = Container()

    @c.inject
    def numbers() -> Iterator[int]:
        yield 1
        yield 2

    @c.inject
    def handler(n: Annotated[int, Depends(numbers)]) -> int:
        return n

    with pytest.raises(InjectionError, match="yielded more than once"):
        handler()


def test_a_generator_inside_an_open_request_joins_it() -> None:
    """Inside a request it shares its values; the request's owner runs its finalizers."""
    c, r = Container(), Resources()
    stream = sync_stream(c, r)

    @c.inject
    def peek(s: Annotated[str, Depends(r.session)]) -> str:
        return s

    with c.request() as scope:
        assert scope.call_sync(peek) == "session"
        assert list(stream(n=1)) == ["session-local-0"]
        # Its own function-scoped dependency closed when it ended; the session did not.
        assert r.events == ["session open", "chunk 0", "local closed"]
    assert r.events[-3:] == ["task", "session commit", "session closed"]
    assert r.events.count("session open") == 1


def test_the_own_request_is_current_only_while_the_generator_runs() -> None:
    """Between steps the consumer is not inside the generator's request."""
    c = Container()

    @c.inject
    def stream() -> Iterator[bool]:
        yield c.current_scope is not None
        yield c.current_scope is not None

    gen = stream()
    assert next(gen) is True
    assert c.current_scope is None
    assert next(gen) is True
    assert c.current_scope is None
    gen.close()


@pytest.mark.anyio
async def test_scope_call_of_a_generator_function_gives_a_joined_generator(
    anyio_backend: str,
) -> None:
    """scope.call(gen_func) returns its injected generator, running in that scope."""
    c, r = Container(), Resources()

    async def stream(s: Annotated[str, Depends(r.asession)]) -> AsyncIterator[str]:
        yield s
        yield s

    async with c.request() as scope:
        gen = await scope.call(stream)
        assert [item async for item in gen] == ["session", "session"]
        assert r.events == ["session open"]
    assert r.events == ["session open", "session commit", "session closed"]


def test_resolution_error_surfaces_at_the_first_step_and_closes_what_was_built() -> None:
    """A provider failing at the first step: built providers are finalized, the error raised."""
    c, r = Container(), Resources()

    def broken(s: Annotated[str, Depends(r.session)]) -> str:
        raise LookupError("no user")

    @c.inject
    def stream(u: Annotated[str, Depends(broken)]) -> Iterator[str]:
        yield u

    gen = stream()
    with pytest.raises(LookupError):
        next(gen)
    assert r.events == ["session open", "session saw LookupError", "session closed"]


def test_an_async_generator_cannot_be_called_synchronously() -> None:
    """call_sync of an async generator function is an InjectionError naming it."""
    c = Container()

    async def stream() -> AsyncIterator[int]:
        yield 1

    with (
        c.request() as scope,
        pytest.raises(InjectionError, match=r"so it cannot be\niterated synchronously\."),
    ):
        scope.call_sync(stream)


def test_validate_accepts_generator_handlers() -> None:
    """validate() checks an injected generator's graph like any handler's."""
    c, r = Container(), Resources()
    sync_stream(c, r)
    c.validate()


def test_a_forgotten_generator_warns_and_is_finalized_when_collected() -> None:
    """GC of an unfinished injected generator: a ResourceWarning naming it, then finalizers."""
    c, r = Container(), Resources()
    gen = sync_stream(c, r)()
    next(gen)
    with pytest.warns(ResourceWarning, match="injected generator .*stream"):
        del gen
        gc.collect()
    assert r.events[-2:] == ["session saw GeneratorExit", "session closed"]


def test_a_generator_never_started_or_finished_does_not_warn() -> None:
    """Only a generator holding resources warns when collected."""
    c, r = Container(), Resources()
    stream = sync_stream(c, r)
    unstarted = stream()
    del unstarted
    finished = stream()
    list(finished)
    del finished
    gc.collect()  # filterwarnings=error: a warning here fails the test


@pytest.mark.anyio
async def test_a_forgotten_async_generator_warns_and_the_loop_finalizes_it(
    anyio_backend: str,
) -> None:
    """GC of an unfinished async injected generator warns; the event loop closes it."""
    c, r = Container(), Resources()
    gen = async_stream(c, r)()
    await gen.__anext__()
    # trio adds its own warning about the driver it finalizes; ours names the function.
    with pytest.warns(ResourceWarning) as warned:
        del gen
        gc.collect()
    assert any("injected generator stream" in str(w.message) for w in warned)
    with anyio.fail_after(5):
        while "session closed" not in r.events:
            await anyio.sleep(0.01)
    assert r.events[-2:] == ["session saw GeneratorExit", "session closed"]


def test_a_joined_generator_left_unfinished_is_closed_with_its_request() -> None:
    """A joined generator the consumer stops early: its request closes it, then finalizers."""
    c, r = Container(), Resources()
    stream = sync_stream(c, r)
    with c.request():
        gen = stream()
        next(gen)
        del gen  # the request holds it: no ResourceWarning (filterwarnings=error)
        gc.collect()
        assert "local closed" not in r.events
    # The request's tasks (the generator's among them) run first, as for any request.
    assert r.events == [
        "session open",
        "chunk 0",
        "task",
        "local closed",
        "session commit",
        "session closed",
    ]


@pytest.mark.anyio
async def test_a_joined_async_generator_left_unfinished_is_closed_with_its_request(
    anyio_backend: str,
) -> None:
    """The async twin: the request acloses the joined generator before its finalizers."""
    c, r = Container(), Resources()
    stream = async_stream(c, r)
    async with c.request():
        gen = stream()
        await gen.__anext__()
    # The request's tasks (the generator's among them) run first, as for any request.
    assert r.events == [
        "session open",
        "chunk 0",
        "task",
        "local closed",
        "session commit",
        "session closed",
    ]
