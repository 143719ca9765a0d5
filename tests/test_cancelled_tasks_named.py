"""A request cancelled from outside while its tasks run: the task it stopped is named
with the cancellation's kind, each task it kept from starting is named too, and the
finalizers still run."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from injectkit import BackgroundTask, BackgroundTasks, Container

pytestmark = pytest.mark.anyio

BOUND = 10.0


class Session:
    """A request resource whose finalizer must still run."""


@pytest.mark.parametrize("task_timeout", [None, 5.0], ids=["no limit", "with a limit"])
async def test_a_cancelled_request_names_the_stopped_task_and_the_unstarted_ones(
    caplog: pytest.LogCaptureFixture, task_timeout: float | None
) -> None:
    """Error lines on `injectkit`: the running task "was cancelled (<kind>)", the next one
    "did not run"; no task error hook call for either; the session closes."""
    events: list[str] = []
    started = anyio.Event()
    hooked: list[BackgroundTask[Any]] = []
    c = Container(task_timeout=task_timeout, on_task_error=lambda exc, task: hooked.append(task))

    async def session() -> AsyncIterator[Session]:
        try:
            yield Session()
        finally:  # the cancellation is thrown in at the yield
            events.append("session closed")

    c.register(Session, session)

    async def running() -> None:
        started.set()
        await anyio.sleep_forever()

    async def waiting() -> None:
        events.append("waiting ran")

    @c.inject
    async def handler(tasks: BackgroundTasks, db: Session) -> None:
        tasks.add_task(running)
        tasks.add_task(waiting)

    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as group:
            group.start_soon(handler)
            await started.wait()
            group.cancel_scope.cancel()
    kind = anyio.get_cancelled_exc_class().__name__
    lines = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert ("injectkit", logging.ERROR, f"background task running was cancelled ({kind})") in lines
    assert (
        "injectkit",
        logging.ERROR,
        "background task waiting did not run: its request was cancelled before it started",
    ) in lines
    assert events == ["session closed"]
    assert hooked == []
