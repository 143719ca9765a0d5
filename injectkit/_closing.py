"""The request scopes that are closing: the app scope waits for them before it closes.

A request scope with background tasks or finalizers registers here while it runs them
(a set add and discard, nothing for plain calls).  ``Container.aclose()`` waits up to
``shutdown_grace`` seconds for the set to empty, then cuts each scope still in it: the
task or finalizer it is running is cancelled and named in the log, and tasks it has not
started are not started (and named too).  It then waits up to the grace once more for
the cut scopes to run their remaining finalizers, and names those that still have not.

Scopes may close on another event loop or thread than the one closing the container,
so the wait polls, and a cut is handed to the scope's own loop (see ``RequestScope._cut``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from ._request import RequestScope

__all__ = ["ClosingScopes", "current_host", "get_running_loop", "host_task"]

logger = logging.getLogger("injectkit")

_POLL = 0.01  # seconds between looks at the set: shutdown only, and only if it is not empty


get_running_loop = asyncio.get_running_loop
# asyncio's own loop -> task map, when it has one (as in _shield): asking it directly
# costs a fifth of asyncio.current_task(), which is written in Python on 3.11.
_TASKS: Any = getattr(asyncio.tasks, "_current_tasks", None)
host_task: Callable[[asyncio.AbstractEventLoop], object] = (
    _TASKS.get if isinstance(_TASKS, dict) else asyncio.current_task
)
"""``host_task(get_running_loop())``: the running asyncio task (RuntimeError on trio)."""


def current_host() -> tuple[object, object]:
    """The running task and, on trio, the run's token (to reach it from another thread).

    On asyncio the token is None: the task's loop is known from the task.
    """
    try:
        return asyncio.current_task(), None
    except RuntimeError:  # no asyncio loop in this thread: trio
        import trio

        return trio.lowlevel.current_task(), trio.lowlevel.current_trio_token()


class ClosingScopes:
    """The request scopes of one container that are running their tasks or finalizers."""

    def __init__(self) -> None:
        # Each closing scope, and the task closing it (to cancel it with, on asyncio).
        self.scopes: dict[RequestScope, object] = {}

    async def wait(self, grace: float | None) -> None:
        """Wait up to ``grace`` seconds (None: no limit) for every closing scope to end;
        then cut those that have not, and wait up to ``grace`` again for them."""
        if not self._others():
            return
        if await self._wait_until_empty(grace):
            return
        for scope in self._others():
            scope._request_cut(grace)
        if not await self._wait_until_empty(grace):
            for scope in self._others():
                logger.error(
                    "the container closed while a request was still closing after being "
                    "cancelled (%s still running)",
                    scope._running_name(),
                )

    def _others(self) -> list[RequestScope]:
        """The closing scopes, except one whose own task is closing the container."""
        me = current_host()[0]
        return [scope for scope, host in list(self.scopes.items()) if host is not me]

    async def _wait_until_empty(self, grace: float | None) -> bool:
        deadline = math.inf if grace is None else anyio.current_time() + grace
        while self._others():
            if anyio.current_time() >= deadline:
                return False
            await anyio.sleep(_POLL)
        return True
