"""What a task's chain of coroutines is running, read from their frames (CPython).

The container's shutdown reads it to find closing requests and to name the finalizer a
cut interrupts; nothing on a request's own path reads frames.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Iterator
from types import CodeType, FrameType
from typing import Any

from ._finalize import aclose_all, aclose_within

__all__ = ["frames", "runs", "running_finalizer"]

# The finalizer loops, and the local that holds the finalizer each is running.
_FINALIZING = ((aclose_all, "owner"), (aclose_within, "entry"))

# mutmut (docs/mutation.md) runs a renamed copy of each function it mutates behind a
# wrapper: x_<name>__mutmut_<n> for a function, xǁ<Class>ǁ<name>__mutmut_<n> for a method.
_MUTMUT_COPY = re.compile(r"x(?:_|ǁ\w+ǁ)(?P<name>\w+)__mutmut_\w+")


def runs(code: CodeType, func: Any) -> bool:
    """Whether a frame of ``code`` is running ``func`` (or mutmut's copy of it)."""
    own: CodeType = inspect.unwrap(func).__code__
    if code is own:
        return True
    copy = _MUTMUT_COPY.fullmatch(code.co_name)
    return copy is not None and copy["name"] == own.co_name and code.co_filename == own.co_filename


def running_finalizer(host: Any) -> str | None:
    """'the finalizer of X' if ``host`` (a task) is running a request's finalizer (None
    if not, or if its frames cannot be read)."""
    try:
        return _finalizer_in(host)
    except Exception:  # a Python whose coroutines hide their frames
        return None


def _finalizer_in(host: Any) -> str | None:
    for frame in frames(host):
        local = next((name for func, name in _FINALIZING if runs(frame.f_code, func)), None)
        if local is not None:
            # Both loops are suspended only while awaiting a finalizer, so the local that
            # holds it is set (an unreadable frame raises, which the caller absorbs).
            value = frame.f_locals[local]
            owner = value[2] if local == "entry" else value
            return f"the finalizer of {owner.label}"
    return None


def frames(task: Any) -> Iterator[FrameType]:
    """The frames of the coroutines ``task`` is suspended in, outermost first.

    The chain ends at the first awaited object that is not a coroutine: an async
    generator's ``asend`` / ``athrow`` (a finalizer's own frame, never needed: the frame
    of ``aclose_all`` / ``aclose_within`` above it names it), a future, a trap.
    """
    coro = task.get_coro() if isinstance(task, asyncio.Task) else task.coro  # trio's Task
    while coro is not None:
        frame = getattr(coro, "cr_frame", None)
        if frame is not None:
            yield frame
        coro = getattr(coro, "cr_await", None)
