"""injectkit's own worker threads: sync tasks and offloaded sync providers run here.

anyio's default thread limiter (40 threads) is shared with the framework: Starlette runs
plain ``def`` endpoints and file responses on it.  Blocked background tasks holding all
of its threads would stall those, so a container runs its sync work on a limiter of its
own, ``Container(thread_limit=...)`` threads.

A ``CapacityLimiter`` belongs to the event loop it was first used on, and one container
may serve several loops (asyncio and trio tests, a loop per thread), so there is one
limiter per running loop, kept in a run variable like anyio's own default limiter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar

__all__ = ["ThreadLimiter"]

T = TypeVar("T")


class ThreadLimiter:
    """At most ``size`` threads at once for one container's sync work, per event loop."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._limiters: RunVar[anyio.CapacityLimiter] = RunVar("injectkit.threads")

    def current(self) -> anyio.CapacityLimiter:
        """This event loop's limiter (made on first use)."""
        limiter = self._limiters.get(None)
        if limiter is None:
            limiter = anyio.CapacityLimiter(self.size)
            self._limiters.set(limiter)
        return limiter

    async def run(self, func: Callable[[], T], *, abandon_on_cancel: bool = False) -> T:
        """``func()`` in a worker thread, counted against this container's limit."""
        return await anyio.to_thread.run_sync(
            func, abandon_on_cancel=abandon_on_cancel, limiter=self.current()
        )

    def __repr__(self) -> str:
        return f"<ThreadLimiter size={self.size}>"
