"""Request scopes that report their background tasks, and can keep them from running.

A :class:`ProbeScope` is an ordinary request scope whose ``BackgroundTasks`` tells a
listener about every task queued, and which, in capture mode, detaches its tasks just
before it closes, so the finalizers run and the tasks do not.  The recorder opens one
itself (injected calls inside it join it); :class:`ScopeTap` makes the scopes that
``container.request()`` opens meanwhile (an adapter's, for one) probe scopes too.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar, Token
from typing import Any, Protocol

from typing_extensions import ParamSpec

from .._background import BackgroundTask, BackgroundTasks
from .._container import Container
from .._request import RequestScope

__all__ = ["Listener", "ProbeScope", "ScopeTap", "tap"]

P = ParamSpec("P")


class Listener(Protocol):
    """What a probe scope reports to (the recorder)."""

    def task_queued(self, task: BackgroundTask[Any]) -> None: ...

    def keeps_tasks(self) -> bool:
        """True to capture the scope's tasks instead of running them."""
        ...


class _ReportingTasks(BackgroundTasks):
    __slots__ = ("_listener",)

    def __init__(self, listener: Listener) -> None:
        super().__init__()
        self._listener = listener

    def add_task(
        self,
        func: Callable[P, Awaitable[Any]] | Callable[P, Any],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        super().add_task(func, *args, **kwargs)
        self._listener.task_queued(BackgroundTask(func, args, kwargs))


class ProbeScope(RequestScope):
    """A request scope whose queued tasks are reported, and captured if the listener says so."""

    __slots__ = ("_listener",)

    def __init__(
        self, container: Container, context: Mapping[Any, Any] | None, listener: Listener
    ) -> None:
        super().__init__(container, context)
        self._listener = listener
        self._tasks = _ReportingTasks(listener)

    def _detach_tasks(self) -> None:
        if self._listener.keeps_tasks():
            self._tasks = None  # nothing left to run; the listener already has them

    async def aclose(self, exc: BaseException | None = None) -> BaseException | None:
        self._detach_tasks()
        return await super().aclose(exc)

    def close(self, exc: BaseException | None = None) -> BaseException | None:
        self._detach_tasks()
        return super().close(exc)


class ScopeTap:
    """Makes ``container.request()`` open probe scopes while a listener is active.

    A listener is either local (seen from the context that activated it and the tasks it
    starts) or global (seen from every thread).  The tap shadows ``request`` on the
    container instance only while some listener is active, so nothing changes for
    anyone else, and the per-call path of injected functions is never touched.
    """

    def __init__(self, container: Container) -> None:
        self._container = weakref.ref(container)  # the tap must not keep it alive
        self._local: ContextVar[Listener | None] = ContextVar("injectkit.testing.probe")
        self._global: list[Listener] = []
        self._users = 0
        self._lock = threading.Lock()

    def request(self, context: Mapping[Any, Any] | None = None, **options: Any) -> RequestScope:
        container = self._container()
        assert container is not None  # it is the one whose attribute is being called
        listener = self._local.get(None)
        if listener is None and self._global:
            listener = self._global[-1]
        if listener is None or options:
            # Not ours to watch (or options a probe scope does not know): the real thing.
            return Container.request(container, context, **options)
        return ProbeScope(container, context, listener)

    def activate(self, listener: Listener, *, local: bool) -> Callable[[], None]:
        """Start routing ``container.request()`` to ``listener``; returns the undo."""
        with self._lock:
            self._users += 1
            container = self._container()
            if self._users == 1 and container is not None:
                vars(container)["request"] = self.request
        token: Token[Listener | None] | None = None
        if local:
            token = self._local.set(listener)
        else:
            with self._lock:
                self._global.append(listener)

        def deactivate() -> None:
            if token is not None:
                try:
                    self._local.reset(token)
                except ValueError:  # left from another context than it was entered in
                    self._local.set(None)
            with self._lock:
                if token is None:
                    self._global.remove(listener)
                self._users -= 1
                container = self._container()
                if self._users == 0 and container is not None:
                    vars(container).pop("request", None)

        return deactivate


_taps: weakref.WeakKeyDictionary[Container, ScopeTap] = weakref.WeakKeyDictionary()
_taps_lock = threading.Lock()


def tap(container: Container) -> ScopeTap:
    """The one tap of ``container``."""
    with _taps_lock:
        found = _taps.get(container)
        if found is None:
            found = _taps[container] = ScopeTap(container)
        return found
