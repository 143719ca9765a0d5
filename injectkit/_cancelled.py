"""Whether the running task is being cancelled, as opposed to code that merely raised a
cancellation exception (a background task's stray ``CancelledError``).

A real cancellation leaves a trace outside the exception: anyio and trio report an
effective deadline of minus infinity once an enclosing cancel scope has been cancelled
(``move_on_after``, a task group, a client gone), and asyncio counts the pending
``Task.cancel()`` requests (``Task.cancelling()``, Python 3.11+).  A stray exception
leaves none.  Asked only when a task raised, never per call.
"""

from __future__ import annotations

import asyncio
import math

import anyio

__all__ = ["being_cancelled"]


def being_cancelled() -> bool:
    """Whether an enclosing cancel scope was cancelled or asyncio was asked to cancel."""
    if anyio.current_effective_deadline() == -math.inf:
        return True
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no asyncio loop running: trio, whose deadline said it all
        return False
    if task is None:  # pragma: no cover - a callback, not a task
        return False
    return task.cancelling() > 0
