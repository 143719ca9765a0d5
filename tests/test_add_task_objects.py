"""What add_task accepts besides plain functions, and what a framework reading
injectkit's ``BackgroundTasks`` as a request field is told."""

from __future__ import annotations

import threading
from typing import Any

import pydantic
import pytest

from injectkit import BackgroundTasks, Container, InjectionError


class StrictTask:
    """A callable object whose ``__getattr__`` raises for every unknown name (as proxies
    and some task objects do)."""

    def __init__(self, ran: list[str]) -> None:
        self.ran = ran

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no attribute {name} here")

    def __call__(self, word: str) -> None:
        self.ran.append(word)


def test_a_callable_object_whose_getattr_raises_is_queued_and_runs() -> None:
    """Looking for a dispatcher on it raises; it is still an in-process task, run once."""
    ran: list[str] = []
    container = Container()

    @container.inject
    def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(StrictTask(ran), "ran")
        return "queued"

    assert handler() == "queued"
    assert ran == ["ran"]


def test_pydantic_asked_to_read_background_tasks_gets_an_injection_error() -> None:
    """A framework validating injectkit.BackgroundTasks as a request field (FastAPI does,
    through pydantic) gets an InjectionError that names the type and the fix."""
    with pytest.raises(InjectionError) as raised:
        pydantic.TypeAdapter(BackgroundTasks)
    text = " ".join(str(raised.value).split())
    assert "reading a parameter of type injectkit.BackgroundTasks as a request field" in text
    assert "use the adapter's inject" in text


class UnboundProxy:
    """A callable object that refuses to be looked at, even for its ``__class__`` (as an
    unbound context-local proxy does); calling it works, and blocks."""

    def __init__(self, threads: list[int]) -> None:
        object.__setattr__(self, "_threads", threads)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        raise RuntimeError("working outside of a context")

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("working outside of a context")

    def __call__(self) -> None:
        object.__getattribute__(self, "_threads").append(threading.get_ident())


@pytest.mark.anyio
async def test_a_task_that_refuses_to_be_looked_at_runs_in_a_worker_thread(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A task object whose kind cannot be read at all is called as a plain function: in a
    worker thread, never awaited on the event loop."""
    threads: list[int] = []
    container = Container()

    @container.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(UnboundProxy(threads))

    await handler()
    assert len(threads) == 1
    assert threads[0] != threading.get_ident()
    assert "failed" not in caplog.text
