"""Shielding finalizers: whether a cancel scope could reach the running task, and closing
a finalizer stack under a shield when it could.

Async finalizers run inside ``anyio.CancelScope(shield=True)`` so a cancellation cannot
cut them short.  Entering and leaving that scope costs more, on asyncio, than a whole
plain request, and it protects against nothing when no anyio cancel scope encloses the
task: asyncio's own ``Task.cancel()`` passes through anyio shields anyway, and scopes a
finalizer opens itself sit inside the finalization.  So on asyncio the shield is skipped
when anyio's record for the task says it is in no cancel scope (no task group, no
``move_on_after``, not a task-group child).  On trio, and whenever that record cannot
be read, the shield is always used.  This runs once per request that has async
finalizers, so it reads the records directly rather than through their accessors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from weakref import ref

import anyio

from ._finalize import Finalizer, aclose_all

__all__ = ["aclose_shielded", "shield_needed"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True


def _always() -> bool:
    return True


def _asyncio_check() -> Callable[[], bool]:
    try:
        from anyio._backends._asyncio import TaskState, _task_states
    except ImportError:  # pragma: no cover - anyio reorganized its internals
        return _always
    # The dict under anyio's WeakKeyDictionary: its get() method costs as much again.
    states: Any = getattr(_task_states, "data", None)
    if not isinstance(states, dict) or "cancel_scope" not in getattr(TaskState, "__slots__", ()):
        return _always  # pragma: no cover - anyio or weakref changed
    get_running_loop = asyncio.get_running_loop
    current_task = asyncio.current_task
    # asyncio's own loop -> task map, when it has one: asking it directly skips a layer.
    tasks: Any = getattr(asyncio.tasks, "_current_tasks", None)
    if not isinstance(tasks, dict):  # pragma: no cover - a Python that keeps it elsewhere
        tasks = {}

    def shield_needed() -> bool:
        try:
            loop = get_running_loop()
        except RuntimeError:  # no asyncio loop running: trio
            return True
        task = tasks.get(loop) or current_task(loop)
        if task is None:  # pragma: no cover - a callback, not a task
            return True
        state = states.get(ref(task))
        # A task anyio never saw is in no anyio cancel scope.
        return state is not None and state.cancel_scope is not None

    return shield_needed


shield_needed: Callable[[], bool] = _asyncio_check()


async def aclose_shielded(
    entries: list[Finalizer], exc: BaseException | None
) -> BaseException | None:
    """``aclose_all`` under a shield where one is needed: a cancelled call (a deadline, a
    client gone) would otherwise cut an async finalizer short at its first ``await``."""
    if shield_needed():
        with anyio.CancelScope(shield=True):
            return await aclose_all(entries, exc)
    return await aclose_all(entries, exc)
