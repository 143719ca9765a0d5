"""The app scope: singletons built once per container (under a lock) and their finalizers."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from ._exceptions import InjectionError
from ._finalize import Finalizer, aclose_all, aclose_within, close_all
from ._introspect import MISSING
from ._threads import ThreadLimiter

__all__ = ["AppState", "Snapshot"]


class Snapshot:
    """App values one plan uses, in its order; None until taken or after the scope closed."""

    __slots__ = ("__weakref__", "values")

    def __init__(self) -> None:
        self.values: tuple[Any, ...] | None = None


class AppState:
    """App-scoped values by cache key, and the finalizers of the generators that made them.

    Two first uses at once (tasks or threads) build one instance: each key has a lock,
    taken only on a miss.  The async path polls that lock instead of blocking the event
    loop, because the other builder may be a thread, or a task on another event loop.
    """

    # Finalizers are cut by their time limit only (see aclose_within); no shutdown cuts them.
    _item: anyio.CancelScope | None = None
    _cut = False

    def __init__(self, threads: ThreadLimiter) -> None:
        self.threads = threads  # the container's worker threads, for offloaded providers
        self.values: dict[object, Any] = {}
        self.finalizers: list[Finalizer] = []
        self._locks: dict[object, threading.Lock] = {}
        self._guard = threading.Lock()
        # Plans keep the app values they use in a snapshot (read with one attribute load
        # instead of a lookup per value); closing the scope empties them all.
        self._snapshots: weakref.WeakSet[Snapshot] = weakref.WeakSet()
        self._version = 0

    def snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        with self._guard:
            self._snapshots.add(snapshot)
        return snapshot

    def remember(self, snapshot: Snapshot, version: int, values: tuple[Any, ...]) -> None:
        """Keep ``values`` in ``snapshot``, unless the scope was closed since ``version``."""
        with self._guard:
            if version == self._version:
                snapshot.values = values

    def _lock(self, key: object) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def get_or_build_sync(self, key: object, build: Callable[[], Any]) -> Any:
        value = self.values.get(key, MISSING)
        if value is not MISSING:
            return value
        with self._lock(key):
            value = self.values.get(key, MISSING)
            if value is MISSING:
                value = self.values[key] = build()
            return value

    async def get_or_build(self, key: object, build: Callable[[], Awaitable[Any]]) -> Any:
        value = self.values.get(key, MISSING)
        if value is not MISSING:
            return value
        lock = self._lock(key)
        while not lock.acquire(blocking=False):
            await anyio.sleep(0.001)
        try:
            value = self.values.get(key, MISSING)
            if value is MISSING:
                value = self.values[key] = await build()
            return value
        finally:
            lock.release()

    def push(self, finalizer: Finalizer) -> None:
        with self._guard:
            self.finalizers.append(finalizer)

    def _take(self) -> list[Finalizer]:
        with self._guard:
            entries, self.finalizers = self.finalizers, []
            self.values.clear()
            self._version += 1
            for snapshot in self._snapshots:
                snapshot.values = None
            return entries

    async def aclose(self, limit: float | None = None) -> None:
        """Run the finalizers, newest first, each within ``limit`` seconds if given."""
        entries = self._take()
        with anyio.CancelScope(shield=True):
            if limit is None:
                error = await aclose_all(entries, None)
            else:
                error = await aclose_within(entries, None, limit, self)
        if error is not None:
            raise error

    def close(self) -> None:
        with self._guard:
            owners = [owner for _, is_async, owner in self.finalizers if is_async]
        if owners:
            # Refuse before taking anything, so that aclose() can still run every teardown.
            raise InjectionError(
                f"close() cannot run the async teardown of "
                f"{', '.join(owner.label for owner in owners)}; nothing was closed.",
                path=owners[0].chain(),
                hint="close the container with `await container.aclose()` "
                "(or `async with container:`).",
            )
        error = close_all(self._take(), None)
        if error is not None:
            raise error
