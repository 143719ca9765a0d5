"""Keeping a container's threads busy: a request whose sync task holds one until the
test releases it, and a request that queues one task."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread

from injectkit import BackgroundTasks, Container

BOUND = 10.0


class ThreadHolder:
    """``await holder.hold()`` (in a task group) takes one container thread with a sync
    task, without a time limit, until :meth:`release`; it appends "blocked ended"."""

    def __init__(self, container: Container, events: list[str]) -> None:
        self.container = container
        self.events = events
        self._holding = threading.Event()
        self._gate = threading.Event()

    def _blocked(self) -> None:
        self._holding.set()
        self._gate.wait(BOUND)
        self.events.append("blocked ended")

    async def hold(self) -> None:
        await run_request(self.container, self._blocked, timeout=None)

    async def held(self) -> None:
        """Return once the thread is taken."""
        assert await anyio.to_thread.run_sync(self._holding.wait, BOUND)

    def release(self) -> None:
        self._gate.set()


async def run_request(
    container: Container, task: Callable[[], Any], *, timeout: float | bool | None = False
) -> None:
    """A request that queues ``task`` (with its own ``timeout``, unless False: the
    container's)."""

    @container.inject
    async def request(tasks: BackgroundTasks) -> None:
        if timeout is False:
            tasks.add_task(task)
        else:
            tasks.with_timeout(timeout).add_task(task)

    await request()
