"""``queued``: the task an ``add_task`` call queues, spelled out for assertions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typing_extensions import ParamSpec

from .._background import BackgroundTask

__all__ = ["queued"]

P = ParamSpec("P")


def queued(func: Callable[P, Any], /, *args: P.args, **kwargs: P.kwargs) -> BackgroundTask[P]:
    """The task ``tasks.add_task(func, *args, **kwargs)`` queues, to compare with.

    ``assert rec.tasks == [queued(write_log, "message to a@b.c\\n")]``
    """
    return BackgroundTask(func, args, kwargs)
