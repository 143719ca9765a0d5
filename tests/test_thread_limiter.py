"""The container's own worker threads: sync tasks never starve the framework's threads."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
import pytest
from anyio.abc import TaskGroup

from injectkit import BackgroundTasks, Container

BOUND = 10.0


class Gate:
    """Blocked sync tasks wait here; ``started`` counts those that got a thread."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._lock = threading.Lock()
        self.started = 0

    def blocked_task(self) -> None:
        with self._lock:
            self.started += 1
        self._open.wait(BOUND)

    def open(self) -> None:
        self._open.set()


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (bounded): a thread's progress cannot be awaited directly."""
    with anyio.fail_after(BOUND):
        while not condition():
            await anyio.sleep(0.005)


@asynccontextmanager
async def blocked_requests(c: Container, gate: Gate, count: int) -> AsyncIterator[TaskGroup]:
    """``count`` requests, each queuing one ``gate.blocked_task``, running in a task group
    (which the caller may add to); the gate opens at the end of the block, also on failure,
    and the block ends once every request has closed."""

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(gate.blocked_task)

    try:
        async with anyio.create_task_group() as tg:
            for _ in range(count):
                tg.start_soon(handler)
            yield tg
            gate.open()
    finally:
        gate.open()


@pytest.mark.anyio
async def test_blocked_sync_tasks_leave_the_default_thread_limiter_free() -> None:
    """With every thread of anyio's default limiter taken by injectkit's sync tasks under
    the old design, a framework's threaded call (a plain def endpoint) still runs."""
    default = anyio.to_thread.current_default_thread_limiter()
    default.total_tokens = 2  # this event loop's own limiter: the test's, not global
    c = Container(thread_limit=2)
    gate = Gate()
    async with blocked_requests(c, gate, 2):
        await wait_until(lambda: gate.started == 2)
        with anyio.fail_after(BOUND / 2):
            assert await anyio.to_thread.run_sync(lambda: "endpoint ran") == "endpoint ran"
        assert default.borrowed_tokens == 0


@pytest.mark.anyio
async def test_thread_limit_caps_the_sync_tasks_running_at_once() -> None:
    """Container(thread_limit=2): a third blocked sync task waits for a thread."""
    c = Container(thread_limit=2)
    gate = Gate()
    async with blocked_requests(c, gate, 3):
        limiter = c._threads.current()
        await wait_until(lambda: gate.started == 2 and limiter.statistics().tasks_waiting == 1)
        assert limiter.borrowed_tokens == 2
    assert gate.started == 3


@pytest.mark.anyio
async def test_offloaded_providers_share_the_containers_threads() -> None:
    """An offload=True provider takes one of the container's threads, not the default's."""
    c = Container(thread_limit=1)
    gate = Gate()

    class Report:
        pass

    c.register(Report, Report, offload=True)
    built: list[Report] = []

    @c.inject
    async def read(report: Report) -> None:
        built.append(report)

    async with blocked_requests(c, gate, 1) as tg:
        await wait_until(lambda: gate.started == 1)
        tg.start_soon(read)
        limiter = c._threads.current()
        await wait_until(lambda: limiter.statistics().tasks_waiting == 1)
        assert built == []
    assert len(built) == 1


@pytest.mark.anyio
async def test_a_cancelled_call_waits_for_its_offloaded_provider_to_return() -> None:
    """A cancellation that reaches a call while an offload=True provider runs waits for
    the provider's thread to return (as FastAPI's sync dependencies do): nothing the call
    started is still running once the cancellation has gone through."""
    c = Container()
    events: list[str] = []
    started = threading.Event()
    release = threading.Event()

    class Report:
        pass

    def slow_report() -> Report:
        started.set()
        release.wait(BOUND)
        events.append("provider returned")
        return Report()

    c.register(Report, slow_report, offload=True)

    @c.inject
    async def read(report: Report) -> None:
        await anyio.sleep(0)  # where the pending cancellation lands
        events.append("handler ran")

    timer = threading.Timer(0.5, release.set)  # after the cancellation below
    timer.start()
    try:
        with anyio.fail_after(BOUND), anyio.move_on_after(0.2) as cut:
            await read()
    finally:
        timer.cancel()
        release.set()
    events.append("cancellation went through")
    assert started.is_set()
    assert cut.cancelled_caught
    assert events == ["provider returned", "cancellation went through"]


def test_one_container_serves_asyncio_and_trio_loops_one_after_the_other() -> None:
    """The limiter is made per event loop, so one container works on asyncio, then trio."""
    c = Container(thread_limit=3)
    ran: list[str] = []

    @c.inject
    async def handler(tasks: BackgroundTasks, name: str) -> None:
        tasks.add_task(ran.append, name)

    for backend in ("asyncio", "trio", "asyncio"):
        anyio.run(lambda b=backend: handler(name=b), backend=backend)
    assert ran == ["asyncio", "trio", "asyncio"]
    assert c.thread_limit == 3
