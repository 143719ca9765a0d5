"""A sync task the request stopped waiting for (its time limit passed) still reports how
it ended, from its own thread: its failure with the arguments it was queued with, or a
warning that it finished late."""

from __future__ import annotations

import logging
import threading
from typing import Any

import anyio
import pytest

from injectkit import BackgroundTask, BackgroundTasks, Container

pytestmark = pytest.mark.anyio

BOUND = 10.0  # no test here takes near this long unless what it checks is broken


async def test_an_abandoned_task_that_fails_later_is_reported_with_its_arguments() -> None:
    """on_task_error gets the late failure and the task as queued: function, args, kwargs."""
    gate = threading.Event()
    reported: list[tuple[str, BackgroundTask[Any]]] = []
    done = threading.Event()

    def on_error(exc: BaseException, task: BackgroundTask[Any]) -> None:
        reported.append((str(exc), task))
        done.set()

    def blocked(user: str, *, times: int) -> None:
        gate.wait(BOUND)
        raise ValueError(f"{user} x{times}")

    c = Container(task_timeout=0.2, on_task_error=on_error)

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(blocked, "ada", times=2)

    with anyio.fail_after(BOUND):
        await handler()
    gate.set()
    assert await anyio.to_thread.run_sync(done.wait, BOUND)
    [(message, task)] = reported
    assert message == "ada x2"
    assert (task.func, task.args, task.kwargs) == (blocked, ("ada",), {"times": 2})


async def test_an_abandoned_task_that_finishes_later_logs_a_warning_naming_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A late finish is not an error, but it is not silent: one warning on `injectkit`."""
    gate = threading.Event()
    finished = threading.Event()

    def slow() -> None:
        gate.wait(BOUND)
        finished.set()

    c = Container(task_timeout=0.2)

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(slow)

    with anyio.fail_after(BOUND):
        await handler()
    gate.set()
    assert await anyio.to_thread.run_sync(finished.wait, BOUND)
    expected = "background task slow finished after its request stopped waiting for it"
    with anyio.fail_after(BOUND):
        while not any(r.getMessage() == expected for r in caplog.records):
            await anyio.sleep(0.02)
    [late] = [r for r in caplog.records if r.getMessage() == expected]
    assert (late.name, late.levelno) == ("injectkit", logging.WARNING)
