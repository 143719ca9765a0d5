"""Finding the request scopes that are closing, when the app scope closes.

A request scope pays nothing on its close path to be found here: there is no registry.
At shutdown the container looks at the tasks of its own event loop: a task suspended
inside ``RequestScope.aclose`` is closing that scope (the frame's ``self``), and deeper
in the same chain of coroutines the frame of ``aclose_all`` or ``aclose_within`` says
which finalizer is running.  Requests closing on another event loop or thread are not
seen, so not waited for.

``wait_for_closing`` waits up to ``shutdown_grace`` seconds for them to end, then cuts
each that has not (``RequestScope._cut_running``: what it runs is cancelled and named),
and waits up to the grace once more for their remaining finalizers.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterator
from typing import Any

import anyio

from ._request import RequestScope
from ._task_frames import frames, running_finalizer, runs

__all__ = ["wait_for_closing"]

logger = logging.getLogger("injectkit")

_POLL = 0.01  # seconds between looks: shutdown only, and only while a request closes


async def wait_for_closing(container: object, grace: float | None) -> None:
    """Wait up to ``grace`` seconds (None: no limit) for ``container``'s closing requests;
    cut those still closing, and wait up to ``grace`` again for them to end."""
    if not _closing(container):
        return
    if await _until_none_closing(container, grace):
        return
    for scope, host in _closing(container):
        scope._cut_running(grace, host)
    if not await _until_none_closing(container, grace):
        for _, host in _closing(container):
            logger.error(
                "the container closed while a request was still closing after being "
                "cancelled (%s still running)",
                running_finalizer(host) or "its background tasks",
            )


async def _until_none_closing(container: object, grace: float | None) -> bool:
    deadline = math.inf if grace is None else anyio.current_time() + grace
    while _closing(container):
        if anyio.current_time() >= deadline:
            return False
        await anyio.sleep(_POLL)
    return True


def _closing(container: object) -> list[tuple[RequestScope, Any]]:
    """(scope, the task closing it) for each of ``container``'s closing requests.

    Reading tasks' coroutine frames is a CPython detail: where it fails, no request is
    seen (the container closes without waiting, as it did before it looked) and a
    warning says so, rather than the container's close failing.
    """
    try:
        return _find_closing(container)
    except Exception:
        logger.warning(
            "cannot see which requests are still closing (their tasks could not be read); "
            "the container closes without waiting for them",
            exc_info=True,
        )
        return []


def _find_closing(container: object) -> list[tuple[RequestScope, Any]]:
    found = []
    for task, me in _tasks():
        if me:  # the task closing the container never waits for its own request
            continue
        for frame in frames(task):
            if runs(frame.f_code, RequestScope.aclose):
                scope = frame.f_locals.get("self")
                if isinstance(scope, RequestScope) and scope._container is container:
                    found.append((scope, task))
                break
    return found


def _tasks() -> Iterator[tuple[Any, bool]]:
    """Every task of the running event loop, and whether it is the current one."""
    loop = asyncio.events._get_running_loop()
    if loop is not None:
        current = asyncio.current_task(loop)
        for task in asyncio.all_tasks(loop):
            yield task, task is current
        return
    import trio

    me = trio.lowlevel.current_task()
    stack: list[trio.lowlevel.Task | None] = [trio.lowlevel.current_root_task()]
    while stack:
        trio_task = stack.pop()
        if trio_task is None:  # pragma: no cover - a run that is shutting down
            continue
        yield trio_task, trio_task is me
        for nursery in trio_task.child_nurseries:
            stack.extend(nursery.child_tasks)
