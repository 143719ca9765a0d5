"""What a request scope says when it is misused (context that is no mapping, entered
twice, asked for a call while it closes), and what it hands on_task_error and the log
about sync tasks: the task as queued, and a task cancelled while it waited for a thread."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from _busy_threads import ThreadHolder, run_request

from injectkit import BackgroundTask, BackgroundTasks, Container, InjectionError

BOUND = 10.0


def words(error: BaseException) -> str:
    """The error's text with its line breaks and indents as single spaces."""
    return " ".join(str(error).split())


def test_a_context_that_is_no_mapping_is_refused_with_an_example() -> None:
    """request(context=[...]): the type it got, and an example of what it takes."""
    with pytest.raises(InjectionError) as raised:
        Container().request(context=[1, 2])  # type: ignore[arg-type]
    assert words(raised.value) == (
        "request(context=...) takes a mapping of types to values, got list. "
        "hint: pass e.g. {Request: request}."
    )


def test_a_scope_entered_twice_is_refused_with_how_to_get_another() -> None:
    """A scope is used once: entering it again names the fix, container.request()."""
    scope = Container().request()
    with scope, pytest.raises(InjectionError) as raised:
        scope.__enter__()
    assert words(raised.value) == (
        "This request scope has already been entered; a scope is used once. "
        "hint: open a new one with container.request()."
    )


class Connection:
    pass


class Report:
    pass


@pytest.mark.anyio
async def test_a_call_on_a_closing_scope_is_refused_and_its_repr_says_closing() -> None:
    """A finalizer that asks its own scope for a new call is told the scope is closing
    (and to call earlier or open a new scope); the scope's repr says closing meanwhile."""
    seen: list[Any] = []
    c = Container()
    c.register(Report)

    opened: list[Any] = []

    async def connection() -> AsyncIterator[Connection]:
        yield Connection()
        scope = opened[0]
        seen.append(repr(scope))
        try:
            await scope.resolve(Report)
        except InjectionError as error:
            seen.append(error)

    c.register(Connection, connection)
    async with c.request() as scope:
        opened.append(scope)
        await scope.resolve(Connection)
    text, error = seen
    assert text.startswith("<RequestScope closing values=")
    assert words(error) == (
        "This request scope is closing (its finalizers are running); it takes no new call. "
        "hint: call it before the scope closes, or open a new scope with container.request()."
    )


@pytest.mark.anyio
async def test_a_failing_sync_task_reaches_on_task_error_as_queued() -> None:
    """A def task that raises: on_task_error gets the error and the task with the
    function, positional and keyword arguments it was queued with."""
    reported: list[tuple[BaseException, BackgroundTask[Any]]] = []
    c = Container(on_task_error=lambda error, task: reported.append((error, task)))

    def send(address: str, *, retries: int) -> None:
        raise ConnectionError(f"{address} unreachable after {retries}")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(send, "a@example.com", retries=3)

    await handler()
    ((error, task),) = reported
    assert str(error) == "a@example.com unreachable after 3"
    assert (task.func, task.args, task.kwargs) == (send, ("a@example.com",), {"retries": 3})


@pytest.mark.anyio
async def test_a_sync_task_cancelled_while_it_waits_for_a_thread_is_named_as_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A cancellation from outside (no shutdown) while a def task waits for a container
    thread: the log says it was not run, names the task after it as not run, and does
    not name the task that ran before it."""
    caplog.set_level(logging.ERROR, logger="injectkit")
    events: list[str] = []
    c = Container(thread_limit=1)
    holder = ThreadHolder(c, events)

    async def first() -> None:
        events.append("first ran")

    def waiting() -> None:
        events.append("waiting ran")

    def last() -> None:
        events.append("last ran")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(first)
        tasks.add_task(waiting)
        tasks.add_task(last)

    limiter = c._threads.current()
    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as group:
            group.start_soon(holder.hold)
            await holder.held()
            with anyio.CancelScope() as outside:
                group.start_soon(cancel_when_waiting, limiter, outside)
                await handler()
            holder.release()
        await run_request(c, lambda: events.append("next request's task ran"))
    assert events == ["first ran", "blocked ended", "next request's task ran"]
    text = caplog.text
    assert (
        "background task waiting was cancelled (CancelledError) while it waited for a "
        "thread, and was not run"
    ) in text or (
        "background task waiting was cancelled (Cancelled) while it waited for a "
        "thread, and was not run"
    ) in text
    assert "background task last did not run" in text
    assert "background task first did not run" not in text


async def cancel_when_waiting(limiter: anyio.CapacityLimiter, scope: anyio.CancelScope) -> None:
    while limiter.statistics().tasks_waiting == 0:
        await anyio.sleep(0.01)
    scope.cancel()


class Session:
    pass


@pytest.mark.anyio
@pytest.mark.parametrize("request_kind", ["a request scope", "an injected call"])
async def test_a_task_outliving_its_request_gets_a_request_of_its_own(request_kind: str) -> None:
    """A task started inside a request (a scope, or an injected call's own request) that
    calls an injected function after that request has closed does not join it: the call
    opens its own request, with a new session, whose finalizer runs when the call ends."""
    events: list[str] = []
    c = Container()
    count = iter(range(1, 10))

    async def session() -> AsyncIterator[Session]:
        number = next(count)
        events.append(f"session {number} opened")
        yield Session()
        events.append(f"session {number} closed")

    c.register(Session, session)

    @c.inject
    async def use(session: Session) -> Session:
        return session

    closed = anyio.Event()

    async def outlives() -> None:
        await closed.wait()
        await use()
        events.append("late call returned")

    async with anyio.create_task_group() as group:

        @c.inject
        async def handler(session: Session) -> None:
            group.start_soon(outlives)  # its context holds this request as current

        if request_kind == "a request scope":
            async with c.request() as scope:
                await scope.call(handler)
        else:
            await handler()
        events.append("request closed")
        closed.set()
    assert events == [
        "session 1 opened",
        "session 1 closed",
        "request closed",
        "session 2 opened",
        "session 2 closed",
        "late call returned",
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("task_timeout", [None, BOUND], ids=["no limit", "with a limit"])
async def test_system_exit_from_an_async_task_ends_the_request_and_finalizers_run(
    task_timeout: float | None,
) -> None:
    """An async task raising SystemExit ends the request (the process is stopping): the
    tasks after it are skipped, the finalizers run, and SystemExit reaches the caller;
    with or without a time limit around the tasks."""
    events: list[str] = []
    c = Container(task_timeout=task_timeout)

    async def session() -> AsyncIterator[Session]:
        try:
            yield Session()
        finally:  # SystemExit is thrown in at the yield
            events.append("session closed")

    c.register(Session, session)

    async def stop() -> None:
        raise SystemExit(3)

    async def after() -> None:
        events.append("task after ran")

    @c.inject
    async def handler(session: Session, tasks: BackgroundTasks) -> None:
        tasks.add_task(stop)
        tasks.add_task(after)

    with pytest.raises(SystemExit):
        await handler()
    assert events == ["session closed"]


@pytest.mark.anyio
async def test_a_cut_with_time_limits_names_the_cut_task_and_the_one_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With a task time limit set, the shutdown cut names the running task as cut and the
    later one as not run, and not the one that ran before."""
    events: list[str] = []
    c = Container(task_timeout=BOUND, shutdown_grace=0.2)
    started = anyio.Event()

    async def first() -> None:
        events.append("first ran")

    async def hung() -> None:
        started.set()
        await anyio.sleep_forever()

    async def later() -> None:
        events.append("later ran")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(first)
        tasks.add_task(hung)
        tasks.add_task(later)

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as group:
            group.start_soon(handler)
            await started.wait()
            await c.aclose()
    assert events == ["first ran"]
    text = caplog.text
    assert "background task hung was still running after the shutdown grace (0.2 s)" in text
    assert "background task later did not run" in text
    assert "background task first did not run" not in text


@pytest.mark.anyio
async def test_a_cut_after_time_limited_tasks_ran_cancels_the_hung_finalizer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Tasks run under a time limit, then a finalizer hangs: the shutdown cut cancels the
    finalizer and names it, as it does without time limits."""
    events: list[str] = []
    c = Container(task_timeout=BOUND, shutdown_grace=0.2)
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

    async def quick() -> None:
        events.append("task ran")

    @c.inject
    async def handler(value: Stuck, tasks: BackgroundTasks) -> None:
        tasks.add_task(quick)

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as group:
            group.start_soon(handler)
            await finalizing.wait()
            await c.aclose()
    assert events == ["task ran"]
    assert (
        "the finalizer of stuck was still running after the shutdown grace (0.2 s) and is cancelled"
    ) in caplog.text


@pytest.mark.anyio
async def test_closing_a_closed_scope_again_runs_nothing_twice() -> None:
    """aclose() or close() on a scope already closed (after its ``async with``/``with``,
    or closed by hand twice) returns at once: its tasks and finalizers ran once."""
    events: list[str] = []
    c = Container()

    async def session() -> AsyncIterator[Session]:
        yield Session()
        events.append("session closed")

    c.register(Session, session)
    scope = c.request()
    async with scope:
        await scope.resolve(Session)
        scope.background_tasks.add_task(events.append, "task ran")
    assert await scope.aclose() is None
    error = ValueError("the handler failed")
    assert await scope.aclose(error) is error
    assert events == ["task ran", "session closed"]

    sync_scope = c.request()
    with sync_scope:
        sync_scope.background_tasks.add_task(events.append, "sync task ran")
    assert sync_scope.close() is None
    assert events == ["task ran", "session closed", "sync task ran"]


@pytest.mark.anyio
async def test_a_cut_after_an_outside_cancellation_of_timed_tasks_cancels_the_finalizer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Tasks under a time limit cancelled from outside, then a finalizer that hangs: the
    shutdown cut still cancels the finalizer and names it."""
    c = Container(task_timeout=BOUND, shutdown_grace=0.2)
    finalizing = anyio.Event()
    events: list[str] = []

    class Stuck:
        pass

    async def stuck() -> AsyncIterator[Stuck]:
        try:
            yield Stuck()
        finally:  # the cancellation is thrown in at the yield
            finalizing.set()
            with anyio.move_on_after(BOUND / 2):
                await anyio.sleep_forever()
            events.append("stuck finalizer ended by itself")

    c.register(Stuck, stuck)

    async def hung() -> None:
        await anyio.sleep_forever()

    @c.inject
    async def handler(value: Stuck, tasks: BackgroundTasks) -> None:
        tasks.add_task(hung)

    async def cancelled_from_outside() -> None:
        with anyio.move_on_after(0.2):
            await handler()

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as group:
            group.start_soon(cancelled_from_outside)
            await finalizing.wait()
            await c.aclose()
    assert events == []
    assert (
        "the finalizer of stuck was still running after the shutdown grace (0.2 s) and is cancelled"
    ) in caplog.text


@pytest.mark.anyio
async def test_a_finalizer_closing_its_own_scope_runs_nothing_twice() -> None:
    """A finalizer that calls aclose() on the scope it belongs to (which is closing) gets
    nothing run again: the tasks ran once, each finalizer runs once."""
    events: list[str] = []
    c = Container()
    opened: list[Any] = []

    async def session() -> AsyncIterator[Session]:
        yield Session()
        assert await opened[0].aclose() is None
        events.append("session closed")

    c.register(Session, session)
    async with c.request() as scope:
        opened.append(scope)
        await scope.resolve(Session)
        scope.background_tasks.add_task(events.append, "task ran")
    assert events == ["task ran", "session closed"]


def test_a_sync_finalizer_closing_its_own_scope_runs_nothing_twice() -> None:
    """The sync twin: a generator provider's cleanup calling close() on its own closing
    scope gets nothing run again."""
    events: list[str] = []
    c = Container()
    opened: list[Any] = []

    def session() -> Iterator[Session]:
        yield Session()
        assert opened[0].close() is None
        events.append("session closed")

    c.register(Session, session)
    with c.request() as scope:
        opened.append(scope)
        scope.resolve_sync(Session)
        scope.background_tasks.add_task(events.append, "task ran")
    assert events == ["task ran", "session closed"]


@pytest.mark.anyio
async def test_an_async_generator_in_a_sync_scope_is_refused_before_it_runs() -> None:
    """An async generator function run in a request opened with a plain ``with``, through
    ``scope.call`` or called directly while that scope is current: refused before any
    provider runs (its cleanup could not be awaited at the sync close), with the fix."""
    events: list[str] = []
    c = Container()

    async def session() -> AsyncIterator[Session]:
        events.append("session opened")
        yield Session()
        events.append("session closed")

    c.register(Session, session, scope="function")

    async def numbers(session: Session) -> AsyncIterator[int]:
        yield 1

    injected = c.inject(numbers)
    errors = []
    with c.request() as scope:
        for start in (lambda: scope.call(numbers), lambda: scope.call(injected)):
            with pytest.raises(InjectionError) as raised:
                async for _ in await start():
                    pass
            errors.append(raised.value)
        with pytest.raises(InjectionError) as raised:
            async for _ in injected():
                pass
        errors.append(raised.value)
    assert {words(error) for error in errors} == {
        "numbers is an async generator function, but the request it runs in was opened by "
        "sync code (a plain `with`): its cleanup could not be awaited when that request "
        "closes. chain: numbers hint: open the scope with `async with container.request()`."
    }
    assert events == []
    async with c.request() as scope:  # the way it works
        assert [n async for n in await scope.call(numbers)] == [1]
        assert [n async for n in injected()] == [1]
    assert events == ["session opened", "session closed"] * 2
