"""Finding closing requests reads coroutine frames (a CPython detail): where that fails,
the container still closes, says why it did not wait, and nothing raises."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from injectkit import BackgroundTasks, Container, _closing, _task_frames

pytestmark = pytest.mark.anyio


def unreadable(task: Any) -> Iterator[Any]:
    """Frames that cannot be read, as on a Python that keeps them elsewhere."""
    raise RuntimeError("no frames here")
    yield  # pragma: no cover


async def test_the_container_closes_without_waiting_when_tasks_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """aclose() does not raise, closes the app scope at once and warns on the injectkit
    logger that it did not wait, with the traceback of why."""
    monkeypatch.setattr(_closing, "frames", unreadable)
    c = Container(shutdown_grace=5)
    events: list[str] = []
    started = anyio.Event()

    class Settings:
        pass

    def settings() -> Iterator[Settings]:
        yield Settings()
        events.append("settings closed")

    c.register(Settings, settings, scope="app")

    async def slow_task() -> None:
        started.set()
        await anyio.sleep(0.2)
        events.append("task ran")

    @c.inject
    async def handler(tasks: BackgroundTasks, s: Settings) -> None:
        tasks.add_task(slow_task)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(handler)
            await started.wait()
            await c.aclose()
            events.append("container closed")
    assert events == ["settings closed", "container closed", "task ran"]
    [warning] = [r for r in caplog.records if r.name == "injectkit"]
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == (
        "cannot see which requests are still closing (their tasks could not be read); "
        "the container closes without waiting for them"
    )
    assert warning.exc_info is not None  # the traceback of why, for a bug report
    assert str(warning.exc_info[1]) == "no frames here"


def test_a_running_finalizer_is_not_named_when_frames_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """running_finalizer gives None instead of raising."""
    monkeypatch.setattr(_task_frames, "frames", unreadable)
    assert _task_frames.running_finalizer(object()) is None
