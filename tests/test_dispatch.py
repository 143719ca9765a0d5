"""Tasks another process runs: add_task hands them to their dispatcher (injectkit._dispatch).

A small in-memory dispatcher stands for a queue here; tests/integrations/test_celery.py
runs the real one against Redis and a Celery worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from injectkit import BackgroundTasks, Container, InjectionError

pytestmark = pytest.mark.anyio


class Queue:
    """A dispatcher that records what it was asked, in order, with the request's events."""

    def __init__(self, events: list[str], timing: str = "after_finalizers") -> None:
        self.events = events
        self.timing = timing
        self.on_send_error: Any = None
        self.fail_send: Exception | None = None

    def check(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if "bad" in kwargs:
            raise InjectionError("bad argument")

    def send(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self.fail_send is not None:
            raise self.fail_send
        self.events.append(f"sent {task.name}{args}")


class Report:
    """A task object (as a queue library makes them) that carries its dispatcher."""

    name = "report"  # how a queue names its task (Celery: the task name)

    def __init__(self, queue: Queue) -> None:
        self.__injectkit_dispatcher__ = queue

    def __call__(self, user_id: int) -> None:
        raise AssertionError("a dispatched task never runs in process")


def queued_task(events: list[str], timing: str = "after_finalizers") -> Any:
    return Report(Queue(events, timing))


def parts(
    timing: str = "after_finalizers", fail_finalizer: bool = False
) -> tuple[list[str], Any, Container, Any]:
    """(events, a task of a recording queue, a container, its Session type).

    Session's finalizer appends "committed" (or fails, with ``fail_finalizer``).
    """
    events: list[str] = []
    container = Container()

    class Session:
        pass

    @container.provider
    def session() -> Iterator[Session]:
        yield Session()
        if fail_finalizer:
            raise RuntimeError("commit failed")
        events.append("committed")

    return events, queued_task(events, timing), container, Session


async def test_a_dispatched_task_is_sent_after_the_finalizers_have_committed(
    anyio_backend: str,
) -> None:
    """The send comes after every request finalizer, and after in-process tasks."""
    events, report, container, Session = parts()

    @container.inject
    async def handler(tasks: BackgroundTasks, db: Session) -> None:
        tasks.add_task(report, 7)
        tasks.add_task(events.append, "in-process task")

    async with container.request() as scope:
        await scope.call(handler)
        events.append("response")
    assert events == ["response", "in-process task", "committed", "sent report(7,)"]


def test_a_sync_request_sends_after_its_finalizers_too() -> None:
    """The sync scope (Flask's path) sends once its finalizers ran."""
    events, report, container, Session = parts()

    @container.inject
    def handler(tasks: BackgroundTasks, db: Session) -> None:
        tasks.add_task(report, 1)
        tasks.add_task(report, 2)

    handler()
    assert events == ["committed", "sent report(1,)", "sent report(2,)"]


async def test_nothing_is_sent_when_the_handler_raised(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler's error reaches the sender instead: nothing sent, the task named in the log."""
    events, report, container, _ = parts()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(report, 3)
        raise ValueError("no")

    with caplog.at_level(logging.WARNING, "injectkit"), pytest.raises(ValueError):
        await handler()
    assert events == []
    assert "not sending 1 queued task(s) because the request ended with ValueError('no')" in (
        caplog.text
    )
    assert "report(3)" in caplog.text


async def test_nothing_is_sent_when_a_finalizer_failed(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A commit that fails in its finalizer means the worker would not see the data: no send."""
    events, report, container, Session = parts(fail_finalizer=True)

    @container.inject
    async def handler(tasks: BackgroundTasks, db: Session) -> None:
        tasks.add_task(report, 4)

    with caplog.at_level(logging.WARNING, "injectkit"), pytest.raises(RuntimeError):
        await handler()
    assert events == []
    assert "RuntimeError('commit failed'): report(4)" in caplog.text


async def test_a_call_the_dispatcher_refuses_fails_in_add_task(anyio_backend: str) -> None:
    """The dispatcher's check raises in the request that made the mistake."""
    events: list[str] = []
    report = queued_task(events)
    container = Container()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(report, bad=1)

    with pytest.raises(InjectionError, match="bad argument"):
        await handler()
    assert events == []


async def test_a_failed_send_is_logged_with_its_arguments_and_handed_to_the_hook(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Broker unreachable: the log names the task and its arguments; the hook gets the call."""
    events: list[str] = []
    report = queued_task(events)
    queue = report.__injectkit_dispatcher__
    queue.fail_send = ConnectionError("broker down")
    outbox: list[tuple[Any, ...]] = []
    queue.on_send_error = lambda error, task, args, kwargs: outbox.append((error, task, args))
    container = Container()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(report, 5)
        return "ok"

    with caplog.at_level(logging.ERROR, "injectkit"):
        assert await handler() == "ok"
    assert "task" in caplog.text and "report(5) was not sent to its queue" in caplog.text
    assert outbox == [(queue.fail_send, report, (5,))]


async def test_after_response_timing_sends_before_the_finalizers(anyio_backend: str) -> None:
    """send='after_response': sent as an in-process task is run, before the finalizers."""
    events, report, container, Session = parts(timing="after_response")

    @container.inject
    async def handler(tasks: BackgroundTasks, db: Session) -> None:
        tasks.add_task(report, 6)

    await handler()
    assert events == ["sent report(6,)", "committed"]


def test_a_hand_made_background_tasks_cannot_dispatch() -> None:
    """A BackgroundTasks of no request has no finalizers to send after: an InjectionError."""
    report = queued_task([])
    with pytest.raises(InjectionError, match="belongs to no request scope"):
        BackgroundTasks().add_task(report, 1)


async def test_a_task_queued_by_a_background_task_is_still_sent(anyio_backend: str) -> None:
    """A dispatched task added while the in-process tasks run goes out after the finalizers."""
    events, report, container, Session = parts()

    @container.inject
    async def handler(tasks: BackgroundTasks, db: Session) -> None:
        async def later() -> None:
            tasks.add_task(report, 8)

        tasks.add_task(later)

    await handler()
    assert events == ["committed", "sent report(8,)"]


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str, bool]]:
    """(level, message, whether it carries a traceback) of each record of the injectkit logger."""
    return [
        (r.levelno, r.getMessage(), r.exc_info is not None)
        for r in caplog.records
        if r.name == "injectkit"
    ]


async def test_a_failed_send_is_logged_once_with_every_argument_and_the_error(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The log line names the task with its positional and keyword arguments and the
    error, with its traceback; the hook gets the keyword arguments too."""
    events: list[str] = []
    report = queued_task(events)
    queue = report.__injectkit_dispatcher__
    queue.fail_send = ConnectionError("broker down")
    hooked: list[tuple[Any, ...]] = []
    queue.on_send_error = lambda error, task, args, kwargs: hooked.append((args, kwargs))
    container = Container()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(report, 5, 6, user="ann")

    with caplog.at_level(logging.ERROR, "injectkit"):
        await handler()
    assert records(caplog) == [
        (
            logging.ERROR,
            "task report(5, 6, user='ann') was not sent to its queue: "
            "ConnectionError('broker down')",
            True,
        )
    ]
    assert hooked == [((5, 6), {"user": "ann"})]


async def test_a_failing_send_error_hook_is_logged_with_the_task(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A hook that raises in turn: a second log line names the task, with the hook's error."""
    report = queued_task([])
    queue = report.__injectkit_dispatcher__
    queue.fail_send = ConnectionError("broker down")

    def hook(*_: Any) -> None:
        raise OSError("outbox table full")

    queue.on_send_error = hook
    container = Container()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(report, 5)

    with caplog.at_level(logging.ERROR, "injectkit"):
        await handler()
    assert records(caplog)[1:] == [
        (logging.ERROR, "the on_send_error hook failed for task report(5)", True)
    ]
    assert isinstance(caplog.records[-1].exc_info[1], OSError)  # type: ignore[index]


async def test_the_queue_gets_the_keyword_arguments(anyio_backend: str) -> None:
    """``add_task(report, 1, user='ann')``: the dispatcher's send gets both kinds."""
    sent: list[tuple[Any, ...]] = []
    report = queued_task([])
    queue = report.__injectkit_dispatcher__
    queue.send = lambda task, args, kwargs: sent.append((task, args, kwargs))
    container = Container()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(report, 1, user="ann")

    await handler()
    assert sent == [(report, (1,), {"user": "ann"})]


class Unnamed:
    """A task object with no ``name`` of its own: the log names it by its class."""

    def __init__(self, queue: Queue) -> None:
        self.__injectkit_dispatcher__ = queue

    def __call__(self, user_id: int) -> None:
        raise AssertionError("a dispatched task never runs in process")


def test_requests_ending_in_an_error_drop_their_tasks_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sync handler that raised after queuing two tasks: one warning naming the error and
    both calls (a task without a ``name`` by its class); nothing sent."""
    events: list[str] = []
    queue = Queue(events)
    report, unnamed = Report(queue), Unnamed(queue)
    container = Container()

    @container.inject
    def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(report, 1)
        tasks.add_task(unnamed, 2)
        raise ValueError("no")

    with caplog.at_level(logging.WARNING, "injectkit"), pytest.raises(ValueError):
        handler()
    assert events == []
    assert records(caplog) == [
        (
            logging.WARNING,
            "not sending 2 queued task(s) because the request ended with ValueError('no'): "
            "report(1), Unnamed()(2)",
            False,
        )
    ]


def test_a_hand_made_background_tasks_says_what_to_use_instead() -> None:
    """The error names the task and the two ways to get a request's BackgroundTasks."""
    report = queued_task([])
    with pytest.raises(InjectionError) as raised:
        BackgroundTasks().add_task(report, 1)
    assert raised.value.message == (
        "Report() is sent to a queue once its request's finalizers have run, but this "
        "BackgroundTasks belongs to no request scope."
    )
    assert raised.value.hint == (
        "declare BackgroundTasks as a parameter of an injected function (or use "
        "scope.background_tasks) instead of creating one."
    )
