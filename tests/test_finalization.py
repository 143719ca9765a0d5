"""Finalizers: newest first, exceptions thrown in at the yield, never swallowed, always run."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import anyio
import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


def make_resources(events: list[str]):  # type: ignore[no-untyped-def]
    def first() -> Iterator[str]:
        events.append("first open")
        try:
            yield "first"
        except Exception as exc:
            events.append(f"first saw {type(exc).__name__}")
            raise
        finally:
            events.append("first closed")

    async def second(f: Annotated[str, Depends(first)]) -> AsyncIterator[str]:
        events.append("second open")
        try:
            yield "second"
        except Exception as exc:
            events.append(f"second saw {type(exc).__name__}")
            raise
        finally:
            events.append("second closed")

    return first, second


async def test_finalizers_run_newest_first_after_tasks() -> None:
    """On success: tasks in order, then finalizers newest first."""
    c = Container()
    events: list[str] = []
    _, second = make_resources(events)

    @c.inject
    async def handler(s: Annotated[str, Depends(second)], tasks: BackgroundTasks) -> str:
        tasks.add_task(events.append, "task 1")
        tasks.add_task(events.append, "task 2")
        events.append("handler")
        return s

    assert await handler() == "second"
    assert events == [
        "first open",
        "second open",
        "handler",
        "task 1",
        "task 2",
        "second closed",
        "first closed",
    ]


async def test_handler_exception_is_thrown_into_generators_and_tasks_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A handler error reaches each generator at its yield, newest first; tasks are dropped."""
    c = Container()
    events: list[str] = []
    _, second = make_resources(events)

    @c.inject
    async def handler(s: Annotated[str, Depends(second)], tasks: BackgroundTasks) -> str:
        tasks.add_task(events.append, "task")
        raise KeyError("boom")

    caplog.set_level("DEBUG", logger="injectkit")
    with pytest.raises(KeyError):
        await handler()
    assert events == [
        "first open",
        "second open",
        "second saw KeyError",
        "second closed",
        "first saw KeyError",
        "first closed",
    ]
    assert "dropping 1 background task(s)" in caplog.text


async def test_finalizer_cannot_swallow_the_exception() -> None:
    """A finalizer swallowing the error: the caller still gets it; a warning names who and what."""
    c = Container()

    def swallower() -> Iterator[int]:
        try:
            yield 1
        except ValueError:
            pass

    @c.inject
    async def handler(x: Annotated[int, Depends(swallower)]) -> int:
        raise ValueError("original")

    with (
        pytest.warns(RuntimeWarning, match="swallower") as warned,
        pytest.raises(ValueError, match="original"),
    ):
        await handler()
    assert str(warned.list[0].message) == (
        "Provider swallower swallowed ValueError in its finalizer; injectkit re-raises it. "
        "A finalizer may react to an exception, but not suppress it."
    )


async def test_finalizer_error_replaces_but_chains() -> None:
    """A finalizer raising a new error: it propagates, chained to the original."""
    c = Container()

    def translator() -> Iterator[int]:
        try:
            yield 1
        except ValueError as exc:
            raise RuntimeError("translated") from exc

    @c.inject
    async def handler(x: Annotated[int, Depends(translator)]) -> int:
        raise ValueError("original")

    with pytest.raises(RuntimeError) as info:
        await handler()
    assert isinstance(info.value.__cause__, ValueError)


async def test_all_finalizers_run_when_one_fails() -> None:
    """One failing finalizer does not stop the older ones."""
    c = Container()
    events: list[str] = []

    def older() -> Iterator[int]:
        try:
            yield 1
        except OSError:
            events.append("older saw the newer one's error")
            raise

    def newer(x: Annotated[int, Depends(older)]) -> Iterator[int]:
        yield 2
        raise OSError("disk")

    @c.inject
    async def handler(x: Annotated[int, Depends(newer)]) -> int:
        return x

    with pytest.raises(OSError):
        await handler()
    assert events == ["older saw the newer one's error"]


async def test_failure_while_resolving_closes_what_was_built() -> None:
    """A provider that raises: generators already entered are still finalized."""
    c = Container()
    events: list[str] = []

    def opened() -> Iterator[int]:
        try:
            yield 1
        finally:
            events.append("closed")

    def broken(x: Annotated[int, Depends(opened)]) -> int:
        raise LookupError("no")

    @c.inject
    async def handler(x: Annotated[int, Depends(broken)]) -> int:
        return x

    with pytest.raises(LookupError):
        await handler()
    assert events == ["closed"]


async def test_function_scope_sees_the_handler_exception() -> None:
    """Function-scoped generators get the handler's exception right after the call."""
    c = Container()
    events: list[str] = []

    def res() -> Iterator[int]:
        try:
            yield 1
        except ZeroDivisionError:
            events.append("saw it")
            raise

    @c.inject
    async def handler(x: Annotated[int, Depends(res, scope="function")]) -> float:
        return 1 / 0

    async with c.request():  # the request stays open: only a function scope has closed
        with pytest.raises(ZeroDivisionError):
            await handler()
        assert events == ["saw it"]


async def test_generator_that_does_not_yield() -> None:
    """A generator provider that never yields is an InjectionError naming it."""
    c = Container()

    def empty() -> Iterator[int]:
        return
        yield  # pragma: no cover

    @c.inject
    async def handler(x: Annotated[int, Depends(empty)]) -> int:
        return x

    with pytest.raises(InjectionError, match="empty finished without yielding"):
        await handler()


async def test_async_generator_that_does_not_yield() -> None:
    """The same for an async generator provider: its own InjectionError, chain and hint."""
    c = Container()

    async def empty() -> AsyncIterator[int]:
        return
        yield  # pragma: no cover

    @c.inject
    async def handler(x: Annotated[int, Depends(empty)]) -> int:
        return x

    with pytest.raises(InjectionError) as raised:
        await handler()
    assert " ".join(str(raised.value).split()) == (
        "Generator provider empty finished without yielding a value. "
        "chain: handler -> empty hint: a generator provider must yield exactly once."
    )


async def test_generator_that_yields_twice() -> None:
    """A generator provider that yields twice is an InjectionError naming it."""
    c = Container()

    def twice() -> Iterator[int]:
        yield 1
        yield 2

    @c.inject
    async def handler(x: Annotated[int, Depends(twice)]) -> int:
        return x

    with pytest.raises(InjectionError, match="twice yielded more than once"):
        await handler()


def test_sync_finalization() -> None:
    """Sync injected calls finalize the same way."""
    c = Container()
    events: list[str] = []

    def res() -> Iterator[int]:
        try:
            yield 1
        except KeyError:
            events.append("saw")
            raise
        finally:
            events.append("closed")

    @c.inject
    def ok(x: Annotated[int, Depends(res)], tasks: BackgroundTasks) -> int:
        tasks.add_task(events.append, "task")
        return x

    @c.inject
    def bad(x: Annotated[int, Depends(res)]) -> int:
        raise KeyError

    assert ok() == 1
    with pytest.raises(KeyError):
        bad()
    assert events == ["task", "closed", "saw", "closed"]


async def test_explicit_scope_exit_with_caught_error_runs_tasks() -> None:
    """An error caught inside an explicit scope does not drop the scope's tasks."""
    c = Container()
    events: list[str] = []

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(events.append, "task")
        raise ValueError

    async with c.request():
        with pytest.raises(ValueError):
            await handler()
    assert events == ["task"]


@pytest.mark.parametrize("steps", [1, 3])
async def test_a_finalizer_that_waits_is_shielded_from_cancellation(steps: int) -> None:
    """Cancelling a call still runs its async finalizer to the end, through its real waits."""
    c = Container()
    events: list[str] = []
    started = anyio.Event()

    async def res() -> AsyncIterator[int]:
        try:
            yield 1
        finally:
            for step in range(steps):
                await anyio.sleep(0.005)
                events.append(f"step {step}")

    @c.inject
    async def handler(x: Annotated[int, Depends(res)]) -> None:
        started.set()
        await anyio.sleep_forever()

    async with anyio.create_task_group() as tg:
        tg.start_soon(handler)
        await started.wait()
        tg.cancel_scope.cancel()
    assert events == [f"step {step}" for step in range(steps)]


async def test_a_finalizer_that_waits_then_fails_reports_its_error() -> None:
    """An async finalizer raising after a real wait: the error reaches the caller."""
    c = Container()

    async def res() -> AsyncIterator[int]:
        yield 1
        await anyio.sleep(0.001)
        raise OSError("flush failed")

    @c.inject
    async def handler(x: Annotated[int, Depends(res)]) -> int:
        return x

    with pytest.raises(OSError, match="flush failed"):
        await handler()


async def test_app_finalizers_that_wait_run_on_aclose() -> None:
    """App-scoped async finalizers that wait complete on container.aclose()."""
    c = Container()
    events: list[str] = []

    class Pool:
        pass

    @c.provider(scope="app")
    async def pool() -> AsyncIterator[Pool]:
        yield Pool()
        await anyio.sleep(0.001)
        events.append("pool closed")

    @c.inject
    async def handler(p: Pool) -> None: ...

    await handler()
    await c.aclose()
    assert events == ["pool closed"]
