"""With task time limits on, a failing task is reported exactly as without them: logged
by name and handed to on_task_error as queued (function, arguments)."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import BackgroundTask, BackgroundTasks, Container

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("task_timeout", [None, 5.0], ids=["no limit", "with a limit"])
async def test_a_failing_async_task_reaches_the_hook_with_its_arguments(
    caplog: pytest.LogCaptureFixture, task_timeout: float | None
) -> None:
    """The hook gets the error and the task's function, args and kwargs; the next runs."""
    reported: list[tuple[str, BackgroundTask[Any]]] = []
    ran: list[str] = []
    c = Container(
        task_timeout=task_timeout,
        on_task_error=lambda exc, task: reported.append((str(exc), task)),
    )

    async def notify(user: str, *, channel: str) -> None:
        raise RuntimeError(f"{channel} down for {user}")

    async def after() -> None:
        ran.append("after")

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(notify, "ada", channel="mail")
        tasks.add_task(after)

    await handler()
    [(message, task)] = reported
    assert message == "mail down for ada"
    assert (task.func, task.args, task.kwargs) == (notify, ("ada",), {"channel": "mail"})
    assert ran == ["after"]
    assert "background task notify failed" in caplog.text
