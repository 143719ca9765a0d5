"""Robustness: nothing hangs, nothing runs twice, nothing is lost (issue #11, defects)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from types import FrameType
from typing import Annotated, Any

import anyio
import pytest

from injectkit import Container, Depends, InjectionError


class Singleton:
    pass


def _counting(tp: type, needs: type | None, built: list[object]) -> Callable[..., object]:
    """An app provider of ``tp`` (taking a ``needs``) that records each instance it makes."""

    def make(*needed: object) -> object:
        value = tp()
        built.append(value)
        return value

    if needs is not None:

        def make_from(dependency: object) -> object:
            return make(dependency)

        make_from.__annotations__ = {"dependency": needs}
        return make_from
    return make


def _switch_at_every_line(frame: FrameType, event: str, arg: object) -> Any:
    """A thread tracer: in injectkit's code, offer the GIL to another thread at each line."""
    if not frame.f_globals.get("__name__", "").startswith("injectkit."):
        return None

    def line(frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            time.sleep(0)
        return line

    return line


def thread_race_on_fresh_containers(
    *, threads: int, containers: int, dependencies: int = 0, switch_at_every_line: bool = False
) -> int:
    """How many of ``containers`` fresh containers built an app singleton more than once.

    For each container, ``threads`` threads resolve one app-scoped provider through
    ``container.request()`` / ``resolve_sync`` at the same moment, with Python switching
    threads as often as it can.  With ``dependencies``, that provider needs a chain of as
    many other app-scoped providers: each is one more first use the threads race on, and
    a key built twice anywhere in the chain builds the singleton twice.

    The threads are reused from container to container and released together by a spin
    on a counter: a ``threading.Barrier`` wakes its waiters one by one, which leaves them
    too little overlap to race.  The stress suite runs this at full size (32 threads).

    Left to the interpreter, the threads switch where it happens to ask them to, and an
    unlocked get-then-set loses maybe one container in ten, fewer on a loaded machine.
    ``switch_at_every_line`` makes every line of injectkit's code that the threads run a
    place where another thread may take over: any such race then shows in nearly every
    container, so a few containers prove its absence.
    """
    chain = [type(f"Link{i}", (), {}) for i in range(dependencies)]
    current: list[Container | None] = [None]
    started = [0]
    ready = threading.Barrier(threads + 1, timeout=30)
    finished = threading.Barrier(threads + 1, timeout=30)
    errors: list[BaseException] = []

    def worker() -> None:
        seen = 0
        try:
            while True:
                ready.wait()
                seen += 1
                while started[0] < seen:  # spin: all threads leave this loop at once
                    pass
                container = current[0]
                if container is None:
                    return
                try:
                    with container.request() as scope:
                        scope.resolve_sync(Singleton)
                except BaseException as error:  # reported by the caller, after the race
                    errors.append(error)
                finished.wait()
        except threading.BrokenBarrierError:  # the caller gave up (see its finally)
            return

    tracer = threading.gettrace()
    if switch_at_every_line:
        threading.settrace(_switch_at_every_line)  # for the threads started below
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in pool:
            thread.start()
        twice = 0
        for _ in range(containers):
            container = Container()
            built: list[object] = []
            previous: type | None = None
            for tp in [*chain, Singleton]:
                container.register(tp, _counting(tp, previous, built), scope="app")
                previous = tp
            current[0] = container
            ready.wait()
            started[0] += 1
            finished.wait()
            twice += len(built) > dependencies + 1
        current[0] = None
        ready.wait()
        started[0] += 1
    finally:
        sys.setswitchinterval(interval)
        threading.settrace(tracer)  # type: ignore[arg-type,unused-ignore]  # None: no tracer
        started[0] = containers + 1  # frees the workers if the race stopped half-way
        ready.abort()
        finished.abort()
        for thread in pool:
            thread.join(timeout=30)
    if errors:
        raise errors[0]
    return twice


def test_threads_racing_fresh_containers_build_each_app_singleton_once() -> None:
    """Threads resolving an app singleton on a fresh container at once build it once."""
    raced = thread_race_on_fresh_containers(threads=8, containers=20, switch_at_every_line=True)
    assert raced == 0


# -- function-scoped finalizers are shielded like request-scoped ones -------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("inside_request", [False, True], ids=["own request", "joined"])
async def test_cancelled_call_runs_function_scoped_cleanup_past_its_await(
    anyio_backend: str, inside_request: bool
) -> None:
    """A call cancelled while its handler waits still runs a function-scoped cleanup to the end."""
    c = Container()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        try:
            yield "r"
        finally:
            await anyio.sleep(0)  # a real cleanup awaits (rollback, close a connection)
            events.append("cleaned up")

    @c.inject
    async def handler(r: Annotated[str, Depends(resource, scope="function")]) -> None:
        await anyio.sleep_forever()

    with anyio.fail_after(5), anyio.move_on_after(0.02):  # expires while the handler waits
        if inside_request:
            async with c.request():
                await handler()
        else:
            await handler()
    assert events == ["cleaned up"]


@pytest.mark.anyio
async def test_deadline_during_function_scoped_cleanup_does_not_cut_it_short(
    anyio_backend: str,
) -> None:
    """A deadline that expires while a function-scoped cleanup awaits lets it finish."""
    c = Container()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        yield "r"
        await anyio.sleep(0.2)
        events.append("cleaned up")

    @c.inject
    async def handler(r: Annotated[str, Depends(resource, scope="function")]) -> str:
        return r

    with anyio.move_on_after(0.05):
        await handler()
    assert events == ["cleaned up"]


# -- a task's own BaseException is that task's failure; a real cancellation still cancels ----


class Stray(BaseException):
    """Neither an Exception nor a cancellation: still only the task's own failure."""


async def _escaped_cancellation() -> None:
    """Raise the backend's cancellation exception with nothing cancelling the caller: one
    that escaped the task's own (already finished) cancel scope."""
    escaped: BaseException | None = None
    with anyio.CancelScope() as own:
        own.cancel()
        try:
            await anyio.sleep(1)
        except anyio.get_cancelled_exc_class() as cancelled:
            escaped = cancelled
    assert escaped is not None
    raise escaped


async def _raised_cancelled_error() -> None:
    import asyncio

    raise asyncio.CancelledError  # a library giving up, not a cancellation of the caller


async def _raised_stray() -> None:
    raise Stray


@pytest.mark.anyio
@pytest.mark.parametrize(
    "stray",
    [_escaped_cancellation, _raised_cancelled_error, _raised_stray],
    ids=["escaped cancellation", "CancelledError raised", "other BaseException"],
)
async def test_task_raising_a_stray_base_exception_is_logged_and_the_next_task_runs(
    anyio_backend: str,
    stray: Callable[[], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A task that raises a cancellation (or other BaseException) nobody caused only fails."""
    reported: list[BaseException] = []
    c = Container(on_task_error=lambda error, task: reported.append(error))
    ran: list[str] = []

    async def next_task() -> None:
        ran.append("next task")

    with anyio.fail_after(5):  # inside a cancel scope that is not cancelled
        async with c.request() as scope:
            scope.background_tasks.add_task(stray)
            scope.background_tasks.add_task(next_task)
    assert ran == ["next task"]
    assert len(reported) == 1 and not isinstance(reported[0], Exception)
    assert f"background task {stray.__name__} failed" in caplog.text


def test_sync_task_raising_a_base_exception_is_logged_and_the_next_task_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """In a sync scope too, a task's BaseException is logged and the next task runs."""
    c = Container()
    ran: list[str] = []

    def stray() -> None:
        raise Stray

    with c.request() as scope:
        scope.background_tasks.add_task(stray)
        scope.background_tasks.add_task(ran.append, "next task")
    assert ran == ["next task"]
    assert "background task" in caplog.text and "stray failed" in caplog.text


def test_keyboard_interrupt_in_a_sync_task_stops_the_tasks_but_finalizers_run() -> None:
    """KeyboardInterrupt from a task ends the request: later tasks skipped, finalizers run."""
    c = Container()
    events: list[str] = []

    class Session:
        pass

    @c.provider
    def session() -> Iterator[Session]:
        try:
            yield Session()
        finally:
            events.append("session closed")

    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), c.request() as scope:
        scope.resolve_sync(Session)
        scope.background_tasks.add_task(interrupt)
        scope.background_tasks.add_task(events.append, "next task")
    assert events == ["session closed"]


@pytest.mark.anyio
async def test_cancelling_the_scope_while_a_task_runs_still_cancels(anyio_backend: str) -> None:
    """A real cancellation during a task skips the remaining tasks, runs finalizers, cancels."""
    c = Container()
    events: list[str] = []

    class Session:
        pass

    @c.provider
    async def session() -> AsyncIterator[Session]:
        try:
            yield Session()
        finally:
            await anyio.sleep(0)  # shielded: the cleanup outlives the cancellation
            events.append("session closed")

    async def waits() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            events.append("task cancelled")

    async def next_task() -> None:
        events.append("next task")  # pragma: no cover - must not run

    with anyio.fail_after(5), anyio.move_on_after(0.05) as deadline:
        async with c.request() as scope:
            await scope.resolve(Session)
            scope.background_tasks.add_task(waits)
            scope.background_tasks.add_task(next_task)
        events.append("after the request")  # pragma: no cover - the cancellation skips it
    assert deadline.cancelled_caught
    assert events == ["task cancelled", "session closed"]


def test_asyncio_task_cancel_during_a_background_task_still_cancels() -> None:
    """asyncio's own Task.cancel() (no anyio scope involved) still cancels the request."""
    import asyncio

    async def main() -> list[str]:
        c = Container()
        events: list[str] = []
        started = asyncio.Event()

        async def waits() -> None:
            started.set()
            await asyncio.sleep(10)

        async def next_task() -> None:
            events.append("next task")  # pragma: no cover - must not run

        async def request() -> None:
            async with c.request() as scope:
                scope.background_tasks.add_task(waits)
                scope.background_tasks.add_task(next_task)

        running = asyncio.ensure_future(request())
        await started.wait()
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        return events

    assert asyncio.run(main()) == []


# -- a request that is closing takes no new joiner ---------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("slow_start", [False, True], ids=["ready at once", "awaits first"])
async def test_call_arriving_while_a_request_closes_gets_a_request_of_its_own(
    anyio_backend: str, slow_start: bool
) -> None:
    """A call started during a finalizer's await has its provider closed when it ends."""
    # Joining the closing request closed it early (while the call ran) or never (the
    # garbage collector did, with GeneratorExit), depending on when the provider yielded.
    c = Container()
    events: list[str] = []

    async def late_resource() -> AsyncIterator[str]:
        if slow_start:
            await anyio.sleep(0.01)  # still starting when the closing request is done
        try:
            yield "late"
        except GeneratorExit:  # pragma: no cover - only the garbage collector throws this
            events.append("late resource collected")
            raise
        events.append("late resource closed")

    @c.inject
    async def late_call(r: Annotated[str, Depends(late_resource)]) -> None:
        await anyio.sleep(0.02)
        events.append("late call done")

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:

            async def resource() -> AsyncIterator[str]:
                yield "r"
                tg.start_soon(late_call)  # fire and forget, in the closing request's context
                await anyio.sleep(0)  # the late call starts here
                events.append("resource closed")

            @c.inject
            async def handler(r: Annotated[str, Depends(resource)]) -> str:
                return r

            assert await handler() == "r"
    assert events == ["resource closed", "late call done", "late resource closed"]


def test_call_on_a_closing_scope_is_an_injection_error() -> None:
    """scope.call_sync from one of the scope's own finalizers says the scope is closing."""
    c = Container()
    seen: list[str] = []
    opened: list[Any] = []

    class Session:
        pass

    @c.provider
    def session() -> Iterator[Session]:
        yield Session()
        try:
            opened[0].call_sync(lambda: None)
        except InjectionError as error:
            seen.append(str(error))

    with c.request() as scope:
        opened.append(scope)
        scope.resolve_sync(Session)
    assert len(seen) == 1 and "closing" in seen[0] and "container.request()" in seen[0]


def test_injected_call_from_a_finalizer_closes_its_own_providers() -> None:
    """An injected call made by a finalizer runs in its own request, closed when it returns."""
    c = Container()
    events: list[str] = []

    class Audit:
        pass

    class Session:
        pass

    @c.provider
    def audit() -> Iterator[Audit]:
        yield Audit()
        events.append("audit closed")

    @c.inject
    def write_audit(a: Audit) -> None:
        events.append("audit written")

    @c.provider
    def session() -> Iterator[Session]:
        yield Session()
        write_audit()
        events.append("session closed")

    with c.request() as scope:
        scope.resolve_sync(Session)
    assert events == ["audit written", "audit closed", "session closed"]
