"""container.aclose() waits for closing requests up to shutdown_grace, then cuts them."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
from _busy_threads import ThreadHolder, run_request

from injectkit import BackgroundTasks, Container

pytestmark = pytest.mark.anyio

BOUND = 10.0


class Session:
    pass


class Settings:
    pass


def make_container(
    events: list[str], grace: float | None, finalizer_timeout: float | None = None
) -> Container:
    c = Container(shutdown_grace=grace, finalizer_timeout=finalizer_timeout)

    async def session() -> AsyncIterator[Session]:
        yield Session()
        events.append("session closed")

    def settings() -> Iterator[Settings]:
        yield Settings()
        events.append("settings closed")

    c.register(Session, session)
    c.register(Settings, settings, scope="app")
    return c


async def test_aclose_waits_for_a_request_still_running_its_tasks() -> None:
    """The app scope closes after a closing request's tasks and finalizers have run."""
    events: list[str] = []
    c = make_container(events, grace=BOUND)
    started = anyio.Event()

    async def slow_task() -> None:
        started.set()
        await anyio.sleep(0.2)
        events.append("task ran")

    @c.inject
    async def handler(tasks: BackgroundTasks, session: Session, settings: Settings) -> None:
        tasks.add_task(slow_task)

    async with anyio.create_task_group() as tg:
        tg.start_soon(handler)
        await started.wait()
        await c.aclose()
        events.append("container closed")
    assert events == ["task ran", "session closed", "settings closed", "container closed"]


async def test_after_the_grace_running_work_is_cancelled_and_every_task_is_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hung task is cancelled after shutdown_grace and named, the task after it is
    named as not run, and the request's finalizer still runs before the app scope's."""
    events: list[str] = []
    c = make_container(events, grace=0.2)
    started = anyio.Event()

    async def hung_task() -> None:
        started.set()
        await anyio.sleep_forever()

    async def later_task() -> None:
        events.append("later task ran")

    @c.inject
    async def handler(tasks: BackgroundTasks, session: Session, settings: Settings) -> None:
        tasks.add_task(hung_task)
        tasks.add_task(later_task)

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            tg.start_soon(handler)
            await started.wait()
            await c.aclose()
    assert events == ["session closed", "settings closed"]
    assert (
        "background task hung_task was still running after the shutdown grace (0.2 s) and "
        "is cancelled"
    ) in caplog.text
    assert "background task later_task did not run" in caplog.text


async def test_a_sync_task_still_waiting_for_a_thread_at_the_cut_is_named_as_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After shutdown_grace, a sync task still waiting for a container thread is named as
    not run (not as running on in its thread), and it never runs."""
    events: list[str] = []
    c = Container(thread_limit=1, shutdown_grace=0.2)
    holder = ThreadHolder(c, events)

    def waiting() -> None:
        events.append("waiting ran")

    limiter = c._threads.current()
    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            tg.start_soon(holder.hold)
            await holder.held()
            tg.start_soon(run_request, c, waiting)
            while limiter.statistics().tasks_waiting == 0:
                await anyio.sleep(0.01)
            await c.aclose()
        holder.release()
    assert (
        "background task waiting was still waiting for a thread after the shutdown grace "
        "(0.2 s) and is not run"
    ) in caplog.text
    assert (
        "background task ThreadHolder._blocked was still running after the shutdown grace "
        "(0.2 s) and is "
        "abandoned; its thread runs on"
    ) in caplog.text
    assert "waiting ran" not in events


@pytest.mark.parametrize("finalizer_timeout", [None, BOUND], ids=["no-limit", "far-limit"])
async def test_a_hung_finalizer_is_cut_after_the_grace_and_named(
    caplog: pytest.LogCaptureFixture, finalizer_timeout: float | None
) -> None:
    """A finalizer still running after shutdown_grace is cancelled through its shield and
    named once, as cut (not as over a time limit still far off); the app scope then
    closes."""
    caplog.set_level(logging.ERROR, logger="injectkit")
    events: list[str] = []
    c = make_container(events, grace=0.2, finalizer_timeout=finalizer_timeout)
    finalizing = anyio.Event()

    class Stuck:
        pass

    async def stuck() -> AsyncIterator[Stuck]:
        yield Stuck()
        finalizing.set()
        with anyio.move_on_after(BOUND / 2):
            await anyio.sleep_forever()
        events.append("stuck finalizer ended by itself")

    c.register(Stuck, stuck)

    @c.inject
    async def handler(session: Session, value: Stuck, settings: Settings) -> None:
        pass

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            tg.start_soon(handler)
            await finalizing.wait()
            await c.aclose()
    assert "stuck finalizer ended by itself" not in events
    assert events[-1] == "settings closed"
    assert [record.getMessage() for record in caplog.records] == [
        "the container closed while a request was still closing: the finalizer of stuck "
        "was still running after the shutdown grace (0.2 s) and is cancelled"
    ]


async def test_a_task_that_closes_the_container_does_not_wait_for_itself() -> None:
    """A background task calling container.aclose() is not waited for by that call."""
    events: list[str] = []
    c = make_container(events, grace=BOUND)

    async def shut_down() -> None:
        await c.aclose()
        events.append("closed from a task")

    @c.inject
    async def handler(tasks: BackgroundTasks, settings: Settings) -> None:
        tasks.add_task(shut_down)

    with anyio.fail_after(BOUND / 2):
        await handler()
    assert events == ["settings closed", "closed from a task"]


async def test_the_task_running_a_cut_request_goes_on_uncancelled(anyio_backend: str) -> None:
    """After a shutdown cut, the task that ran the request goes on with its cancel undone."""
    events: list[str] = []
    c = make_container(events, grace=0.1)
    started = anyio.Event()

    async def hung_task() -> None:
        started.set()
        await anyio.sleep_forever()

    @c.inject
    async def handler(tasks: BackgroundTasks, session: Session) -> str:
        tasks.add_task(hung_task)
        return "sent"

    async def host() -> None:
        events.append(await handler())
        await anyio.sleep(0)
        if anyio_backend == "asyncio" and sys.version_info >= (3, 11):
            task = asyncio.current_task()
            assert task is not None
            events.append(f"cancel requests pending: {task.cancelling()}")
        events.append("host went on")

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            tg.start_soon(host)
            await started.wait()
            await c.aclose()
    pending = ["cancel requests pending: 0"] if anyio_backend == "asyncio" else []
    assert events == ["session closed", "sent", *pending, "host went on"]


async def test_a_request_closed_by_hand_with_an_error_still_returns_it_after_a_cut() -> None:
    """``scope.aclose(exc)`` (an adapter closing a failed request) returns ``exc`` when a
    shutdown cut one of its finalizers: the cut is logged, it is not the request's
    outcome, and the error the adapter passed is not lost."""
    events: list[str] = []
    c = make_container(events, grace=0.1)
    finalizing = anyio.Event()

    class Stuck:
        pass

    async def stuck() -> AsyncIterator[Stuck]:
        try:
            yield Stuck()
        finally:
            finalizing.set()
            with anyio.move_on_after(BOUND / 2):
                await anyio.sleep_forever()

    c.register(Stuck, stuck)
    failure = ValueError("the handler failed")
    ended: list[BaseException | None] = []

    async def close_by_hand() -> None:
        scope = c.request()
        await scope.__aenter__()
        await scope.resolve(Stuck)
        ended.append(await scope.aclose(failure))

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            tg.start_soon(close_by_hand)
            await finalizing.wait()
            await c.aclose()
    assert ended == [failure]
