"""Time limits on background tasks and finalizers: cut at the limit, named in the log."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from _busy_threads import ThreadHolder, run_request

from injectkit import BackgroundTask, BackgroundTasks, Container, InjectionError

pytestmark = pytest.mark.anyio

BOUND = 10.0  # no test here takes near this long unless the limit under test is broken


class Session:
    """A request resource whose finalizer must run however the tasks end."""


def session_provider(events: list[str]) -> Any:
    async def session() -> AsyncIterator[Session]:
        yield Session()
        events.append("session closed")

    return session


async def hang() -> None:
    """A task that never ends on its own."""
    await anyio.sleep_forever()


async def test_a_hung_async_task_is_cancelled_at_task_timeout_and_the_request_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """task_timeout cancels a hung async task; the next task and the finalizers still run."""
    events: list[str] = []
    c = Container(task_timeout=0.2)
    c.register(Session, session_provider(events))

    async def after() -> None:
        events.append("next task ran")

    @c.inject
    async def handler(tasks: BackgroundTasks, session: Session) -> str:
        tasks.add_task(hang)
        tasks.add_task(after)
        return "sent"

    with anyio.fail_after(BOUND):
        assert await handler() == "sent"
    assert events == ["next task ran", "session closed"]
    assert "background task hang did not finish within its time limit (0.2 s)" in caplog.text


async def test_with_timeout_sets_one_tasks_limit_without_taking_a_keyword(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """with_timeout(s).add_task limits that task alone and passes every keyword on."""
    events: list[Any] = []
    c = Container()

    async def takes_timeout(*, timeout: int) -> None:
        events.append(("got", timeout))
        await anyio.sleep_forever()

    async def unlimited() -> None:
        await anyio.sleep(0.3)  # longer than the other task's limit: that one is its own
        events.append("unlimited finished")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(events.append, "first")  # the limit goes to the task after it
        tasks.with_timeout(0.1).add_task(takes_timeout, timeout=3)
        tasks.add_task(unlimited)

    with anyio.fail_after(BOUND):
        await handler()
    assert events == ["first", ("got", 3), "unlimited finished"]
    assert "background task takes_timeout did not finish within its time limit (0.1 s)" in (
        caplog.text
    )


async def test_with_timeout_none_lifts_the_containers_limit_for_one_task() -> None:
    """with_timeout(None) lets one task outlive the container's task_timeout."""
    events: list[str] = []
    c = Container(task_timeout=0.05)

    async def slow() -> None:
        await anyio.sleep(0.3)
        events.append("slow finished")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.with_timeout(None).add_task(slow)

    with anyio.fail_after(BOUND):
        await handler()
    assert events == ["slow finished"]


async def test_a_blocked_sync_task_is_abandoned_at_its_limit_and_reports_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The scope stops waiting for a blocked sync task at its limit; its thread runs on
    and, when it ends, its failure is still reported by name."""
    events: list[str] = []
    gate = threading.Event()
    reported = threading.Event()

    def on_error(exc: BaseException, task: BackgroundTask[Any]) -> None:
        events.append(f"reported {task.name}: {exc}")
        reported.set()

    c = Container(task_timeout=0.2, on_task_error=on_error)
    c.register(Session, session_provider(events))

    def blocked() -> None:
        gate.wait(BOUND)
        raise ValueError("late failure")

    @c.inject
    async def handler(tasks: BackgroundTasks, session: Session) -> None:
        tasks.add_task(blocked)

    with anyio.fail_after(BOUND):
        await handler()
    events.append("request closed")
    assert (
        "background task blocked did not finish within its time limit (0.2 s) and was "
        "abandoned; its thread runs on"
    ) in caplog.text
    gate.set()
    assert await anyio.to_thread.run_sync(reported.wait, BOUND)
    assert events == ["session closed", "request closed", "reported blocked: late failure"]
    assert "background task blocked failed" in caplog.text


async def test_a_sync_task_still_waiting_for_a_thread_at_its_limit_is_reported_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sync task whose limit passes while every container thread is busy never starts:
    the log says it was not run (not that a thread runs it on), and it never runs later."""
    events: list[str] = []
    c = Container(thread_limit=1, task_timeout=0.2)
    holder = ThreadHolder(c, events)

    def waiting() -> None:
        events.append("waiting ran")

    def after() -> None:
        events.append("after ran")

    async def next_task() -> None:
        events.append("the task after waiting ran")

    @c.inject
    async def waiting_then_async(tasks: BackgroundTasks) -> None:
        tasks.add_task(waiting)
        tasks.add_task(next_task)  # runs: only waiting is given up

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as group:
            group.start_soon(holder.hold)
            await holder.held()
            await waiting_then_async()  # waiting's limit passes while it waits for the thread
            assert (
                "background task waiting did not start within its time limit (0.2 s): "
                "every thread of the container was busy (thread_limit=1), and it was not run"
            ) in caplog.text
            assert "background task waiting did not finish" not in caplog.text
            holder.release()
        await run_request(c, after)  # gets the thread once it is free
    assert events == ["the task after waiting ran", "blocked ended", "after ran"]


async def test_a_hung_async_finalizer_is_cut_at_finalizer_timeout_and_the_others_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """finalizer_timeout cuts a hung async finalizer inside its shield; older finalizers
    still run and the request ends without an error."""
    events: list[str] = []
    c = Container(finalizer_timeout=0.2)

    class Stuck:
        pass

    c.register(Session, session_provider(events))

    async def stuck(session: Session) -> AsyncIterator[Stuck]:
        yield Stuck()
        with anyio.move_on_after(BOUND / 2):  # if no limit cuts it, it ends here
            await anyio.sleep_forever()
        events.append("stuck finalizer ended by itself")

    c.register(Stuck, stuck)

    @c.inject
    async def handler(value: Stuck) -> str:
        return "done"

    with anyio.fail_after(BOUND):
        assert await handler() == "done"
    assert events == ["session closed"]
    assert (
        "the finalizer of stuck did not finish within its time limit (0.2 s) and was "
        "cancelled; the other finalizers still run"
    ) in caplog.text


async def test_an_outside_cancellation_still_cannot_cut_a_finalizer_short() -> None:
    """With finalizer_timeout set, a cancellation from outside still waits for a
    finalizer that ends within its limit."""
    events: list[str] = []
    c = Container(finalizer_timeout=BOUND)
    finalizing = anyio.Event()

    async def slow_close() -> AsyncIterator[Session]:
        yield Session()
        finalizing.set()
        await anyio.sleep(0.2)
        events.append("finalizer finished")

    c.register(Session, slow_close)

    @c.inject
    async def handler(session: Session) -> None:
        pass

    async with anyio.create_task_group() as tg:
        tg.start_soon(handler)
        await finalizing.wait()
        tg.cancel_scope.cancel()
    assert events == ["finalizer finished"]


async def test_a_hung_app_finalizer_is_cut_when_the_container_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """finalizer_timeout also bounds app-scoped finalizers at container.aclose()."""
    events: list[str] = []
    c = Container(finalizer_timeout=0.2)

    class Pool:
        pass

    async def pool() -> AsyncIterator[Pool]:
        yield Pool()
        with anyio.move_on_after(BOUND / 2):
            await anyio.sleep_forever()
        events.append("pool finalizer ended by itself")

    def settings() -> Iterator[Session]:
        yield Session()
        events.append("settings closed")

    c.register(Session, settings, scope="app")
    c.register(Pool, pool, scope="app")

    @c.inject
    async def handler(session: Session, p: Pool) -> None:
        pass

    await handler()
    with anyio.fail_after(BOUND):
        await c.aclose()
    assert events == ["settings closed"]
    assert "the finalizer of pool did not finish within its time limit (0.2 s)" in caplog.text


async def test_without_limits_a_slow_task_is_waited_for() -> None:
    """No limit is the default: a task taking its time runs to its end."""
    events: list[str] = []
    c = Container()

    async def slow() -> None:
        await anyio.sleep(0.2)
        events.append("slow finished")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(slow)

    await handler()
    assert events == ["slow finished"]
    assert c.task_timeout is None and c.finalizer_timeout is None


@pytest.mark.parametrize(
    "options",
    [
        {"task_timeout": 0},
        {"finalizer_timeout": -1},
        {"shutdown_grace": "5"},
        {"task_timeout": True},
        {"thread_limit": 0},
        {"thread_limit": 2.5},
    ],
)
def test_a_bad_limit_is_an_injection_error(options: dict[str, Any]) -> None:
    """A limit that is not a positive number (or None) is refused when the container is made."""
    with pytest.raises(InjectionError, match=next(iter(options))):
        Container(**options)


def test_with_timeout_refuses_a_limit_that_is_not_a_positive_number() -> None:
    """tasks.with_timeout(0) is an InjectionError naming the call."""
    with pytest.raises(InjectionError, match=r"with_timeout\(seconds\)"):
        BackgroundTasks().with_timeout(0)
