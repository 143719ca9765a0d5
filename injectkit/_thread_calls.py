"""A sync background task's call in one of the container's worker threads, and which
side reports how it ended: the request scope that waited for it, or the thread itself
once the scope stopped waiting (a time limit, a shutdown, a cancellation)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._introspect import describe

if TYPE_CHECKING:
    from ._request import RequestScope

__all__ = ["ThreadCall"]

logger = logging.getLogger("injectkit")


class ThreadCall:
    """A sync task's call in a worker thread, and who reports how it ended.

    Normally the scope does, once the thread is done.  If the scope stopped waiting (a
    time limit, a shutdown, a cancellation), the thread does it itself when the task
    ends: a failure is reported like any other, and a late finish is logged, so a task
    left running is never lost from view.  If the scope stopped waiting before a thread
    took the call, the call never runs (a thread that takes it later refuses it), and the
    scope says so.  The lock decides which side reports.
    """

    __slots__ = ("_lock", "_state", "args", "error", "func", "kwargs", "scope")

    # What abandon() found; ABANDONED: the thread runs on and will report.
    PENDING, RUNNING, DONE, ABANDONED = "pending", "running", "done", "abandoned"

    def __init__(
        self,
        scope: RequestScope,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.scope = scope
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.error: Exception | None = None
        self._lock = threading.Lock()
        self._state = self.PENDING

    def run(self) -> None:
        """In the worker thread."""
        with self._lock:
            if self._state is not self.PENDING:  # the scope gave up before it started
                return
            self._state = self.RUNNING
        try:
            self.func(*self.args, **self.kwargs)
        except Exception as error:
            self.error = error
        with self._lock:
            abandoned = self._state is self.ABANDONED
            self._state = self.DONE
        if not abandoned:
            return
        if self.error is not None:
            self.scope._task_failed(self.func, self.args, self.kwargs, self.error)
        else:
            logger.warning(
                "background task %s finished after its request stopped waiting for it",
                describe(self.func),
            )

    def abandon(self) -> str:
        """The scope stopped waiting.  Returns the state it found: PENDING (the call
        will never run), RUNNING (the thread runs on and will report) or DONE."""
        with self._lock:
            found = self._state
            if found is not self.DONE:
                self._state = self.ABANDONED
            return found
