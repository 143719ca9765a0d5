"""BackgroundTasks: one per request, run after the call, in order, failures logged."""

import threading
from typing import Annotated, Any

import anyio
import pytest

from injectkit import BackgroundTask, BackgroundTasks, Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


async def test_one_instance_shared_by_every_dependent() -> None:
    """The handler and every sub-dependency get the same BackgroundTasks object."""
    c = Container()
    seen: list[BackgroundTasks] = []

    def dep(tasks: BackgroundTasks) -> None:
        seen.append(tasks)

    def dep2(tasks: BackgroundTasks, d: Annotated[None, Depends(dep)]) -> None:
        seen.append(tasks)

    @c.inject
    async def handler(tasks: BackgroundTasks, d: Annotated[None, Depends(dep2)]) -> None:
        seen.append(tasks)

    await handler()
    assert len(seen) == 3 and seen[0] is seen[1] is seen[2]
    await handler()
    assert seen[3] is not seen[0]


async def test_tasks_run_after_the_call_returns_in_order() -> None:
    """Tasks run after the handler's body, in the order they were added, with their args."""
    c = Container()
    events: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> None:
        events.append((args, kwargs))

    @c.inject
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(record, 1, 2, k="v")
        tasks.add_task(record, 3)
        events.append("returning")
        return "done"

    assert await handler() == "done"
    assert events == ["returning", ((1, 2), {"k": "v"}), ((3,), {})]


async def test_sync_tasks_run_in_a_worker_thread_async_on_the_loop() -> None:
    """def tasks run in a worker thread; async def tasks run in the event loop thread."""
    c = Container()
    threads: dict[str, int] = {}

    def sync_task() -> None:
        threads["sync"] = threading.get_ident()

    async def async_task() -> None:
        await anyio.sleep(0)
        threads["async"] = threading.get_ident()

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(sync_task)
        tasks.add_task(async_task)

    await handler()
    here = threading.get_ident()
    assert threads["async"] == here and threads["sync"] != here


async def test_a_failing_task_is_logged_and_the_rest_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A task that raises is logged with its name; later tasks run; the hook is called."""
    failures: list[tuple[BaseException, BackgroundTask[Any]]] = []
    c = Container(on_task_error=lambda exc, task: failures.append((exc, task)))
    events: list[str] = []

    def explode() -> None:
        raise RuntimeError("task failed")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(explode)
        tasks.add_task(events.append, "after")
        return "ok"

    assert await handler() == "ok"
    assert events == ["after"]
    assert "background task explode failed" in caplog.text
    assert [(type(e), t.name) for e, t in failures] == [(RuntimeError, "explode")]


async def test_tasks_may_use_request_resources() -> None:
    """Tasks run before request finalizers, so a task can still use the session."""
    c = Container()
    events: list[str] = []

    class Session:
        open = True

    def db():  # type: ignore[no-untyped-def]
        s = Session()
        yield s
        s.open = False

    def use(s: Session) -> None:
        events.append(f"task sees open={s.open}")

    @c.inject
    async def handler(tasks: BackgroundTasks, s: Annotated[Session, Depends(db)]) -> None:
        tasks.add_task(use, s)

    await handler()
    assert events == ["task sees open=True"]


async def test_a_task_may_queue_another() -> None:
    """A task that adds a task: the new one runs too."""
    c = Container()
    events: list[str] = []

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        def first() -> None:
            events.append("first")
            tasks.add_task(events.append, "second")

        tasks.add_task(first)

    await handler()
    assert events == ["first", "second"]


def test_background_tasks_are_inspectable() -> None:
    """BackgroundTasks lists its queued tasks with names and arguments."""
    tasks = BackgroundTasks()

    def write_log(message: str) -> None: ...

    tasks.add_task(write_log, "hello")
    assert len(tasks) == 1
    (task,) = tasks.tasks
    assert task.name == "write_log" and task.args == ("hello",) and task.kwargs == {}
    assert "write_log" in repr(tasks)


def test_sync_scope_runs_tasks_inline_after_the_call() -> None:
    """A sync injected call runs its (sync) tasks after returning."""
    c = Container()
    events: list[str] = []

    @c.inject
    def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(events.append, "task")
        events.append("handler")
        return "x"

    assert handler() == "x"
    assert events == ["handler", "task"]


def test_queuing_something_that_cannot_be_called_is_an_injection_error() -> None:
    """add_task with a non-callable fails at once, naming it, not later in the task log."""
    tasks = BackgroundTasks()
    with pytest.raises(InjectionError, match=r"add_task\(\) needs a function to call later"):
        tasks.add_task("write_log")  # type: ignore[arg-type]
    assert tasks.tasks == ()
