"""What a task's chain of coroutines is running, read from their frames (CPython).

The container's shutdown reads it to find closing requests and to name the finalizer a
cut interrupts; nothing on a request's own path reads frames.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import FrameType
from typing import Any

from ._finalize import aclose_all, aclose_within

__all__ = ["frames", "running_finalizer"]

# The finalizer loops, and the local that holds the finalizer each is running.
_FINALIZING = {aclose_all.__code__: "owner", aclose_within.__code__: "entry"}


def running_finalizer(host: Any) -> str | None:
    """'the finalizer of X' if ``host`` (a task) is running a request's finalizer (None
    if not, or if its frames cannot be read)."""
    try:
        return _finalizer_in(host)
    except Exception:  # a Python whose coroutines hide their frames
        return None


def _finalizer_in(host: Any) -> str | None:
    for frame in frames(host):
        local = _FINALIZING.get(frame.f_code)
        if local is not None:
            value = frame.f_locals.get(local)
            owner = value[2] if local == "entry" and value is not None else value
            label = getattr(owner, "label", None)
            return f"the finalizer of {label}" if label else "a finalizer"
    return None


def frames(task: Any) -> Iterator[FrameType]:
    """The frames of the coroutines ``task`` is suspended in, outermost first."""
    coro = task.get_coro() if isinstance(task, asyncio.Task) else getattr(task, "coro", None)
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None:
            yield frame
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
