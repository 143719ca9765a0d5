"""``BackgroundTasks``: work queued during a request, run after its response."""

from __future__ import annotations

import inspect
import types
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import ParamSpec, TypeVar

from ._exceptions import InjectionError
from ._introspect import CallKind, call_kind, describe
from ._markers import read_by_a_framework
from ._wording import safe_repr

if TYPE_CHECKING:
    from ._dispatch import Outbox

__all__ = [
    "DISPATCHER_ATTR",
    "BackgroundTask",
    "BackgroundTasks",
    "QueuedCall",
    "TimedTasks",
    "check_seconds",
    "is_async_task",
]

P = ParamSpec("P")
R = TypeVar("R")
_CO_COROUTINE = inspect.CO_COROUTINE


# What a task object that another process runs carries (see _dispatch).
DISPATCHER_ATTR = "__injectkit_dispatcher__"
# Plain functions and bound methods never carry a dispatcher (see _dispatch): add_task
# skips the look-up for them (it costs a function ~100 ns, and a bound method's failed
# one builds an AttributeError); a plain function skips the callable() check too.
_FunctionType = types.FunctionType
_MethodType = types.MethodType

# What BackgroundTasks keeps per add_task: a plain tuple costs a twentieth of an object.
QueuedCall = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def is_async_task(func: Callable[..., Any]) -> bool:
    """Whether ``func`` is awaited on the event loop (else it runs in a worker thread)."""
    try:  # functions and bound methods: read the flag (asked once per task run)
        return func.__code__.co_flags & _CO_COROUTINE != 0
    except Exception:  # partials, callable objects, builtins; or a __getattr__ that raises
        pass
    try:
        return call_kind(func) is CallKind.ASYNC
    except Exception:  # an object that refuses to be looked at: call it as it is, in a thread
        return False


class BackgroundTask(Generic[P]):
    """One queued call: ``func(*args, **kwargs)``."""

    __slots__ = ("args", "func", "kwargs")

    def __init__(self, func: Callable[P, Any], args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.func = func
        self.args = args
        self.kwargs = kwargs

    @property
    def name(self) -> str:
        return describe(self.func)

    @property
    def is_async(self) -> bool:
        return is_async_task(self.func)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BackgroundTask):
            return NotImplemented
        return (self.func, self.args, self.kwargs) == (other.func, other.args, other.kwargs)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BackgroundTask({self.name}, args={self.args!r}, kwargs={self.kwargs!r})"


class BackgroundTasks:
    """The tasks of one request, run in the order added once the response has been sent.

    Declare a parameter of this type anywhere in a dependency graph: the handler and every
    sub-dependency of one request get the same object.  ``async def`` tasks run on the
    event loop, ``def`` tasks in a worker thread.  A task that raises is logged on the
    ``injectkit`` logger (and passed to the container's ``on_task_error`` hook) and the
    others still run.  If the handler raises, the queued tasks are dropped.
    """

    __slots__ = ("_outbox", "_tasks", "_timeouts")

    # Tasks another process runs (see _dispatch): set on first use only.
    _outbox: Outbox

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # FastAPI asks pydantic about a parameter it reads itself: a route that did not go
        # through the adapter's inject (the adapter hides injectkit's parameters).
        raise read_by_a_framework("a parameter of type injectkit.BackgroundTasks")

    def __init__(self) -> None:
        self._tasks: list[QueuedCall] = []
        # Time limits set with with_timeout(), by the task's index (None: no limit);
        # the other tasks get the container's task_timeout.
        self._timeouts: dict[int, float | None] | None = None

    def add_task(
        self,
        func: Callable[P, Awaitable[Any]] | Callable[P, Any],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """Queue ``func(*args, **kwargs)`` to run after the response.

        A task that another process runs (a Celery task made by
        ``injectkit.integrations.celery``) is checked now and sent to its queue once the
        request's finalizers have run (see docs/celery.md).
        """
        if type(func) is _FunctionType:  # the common case: a function, nothing to check
            self._tasks.append((func, args, kwargs))
            return
        self._add_other(func, args, kwargs)

    def _add_other(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """``add_task`` of anything but a plain function: a method, a partial, a callable
        object, a task another process runs (it carries a dispatcher), or a mistake."""
        if type(func) is not _MethodType:
            try:
                dispatcher = getattr(func, DISPATCHER_ATTR, None)
            except Exception:  # a __getattr__ that raises: not a task object of ours
                dispatcher = None
            if dispatcher is not None:
                # Imported here: a module more in memory makes every garbage collection
                # dearer for the apps that never send a task elsewhere.
                from ._dispatch import queue_dispatch

                queue_dispatch(self, dispatcher, func, args, kwargs)
                return
        if not callable(func):
            raise InjectionError(
                f"add_task() needs a function to call later, got {safe_repr(func)}.",
                hint="pass the function and its arguments: tasks.add_task(func, *args).",
            )
        self._tasks.append((func, args, kwargs))

    def with_timeout(self, seconds: float | None) -> TimedTasks:
        """Queue tasks with their own time limit: ``tasks.with_timeout(5).add_task(...)``.

        ``seconds`` replaces the container's ``task_timeout`` for the tasks added through
        the result (None: no limit).  A task still running at its limit is cancelled (a
        sync one is abandoned: its thread runs on) and named in the log.  A method of its
        own, not a keyword of :meth:`add_task`, whose keywords all go to the task.
        """
        return TimedTasks(self, check_seconds(seconds, "with_timeout(seconds)"))

    @property
    def tasks(self) -> tuple[BackgroundTask[Any], ...]:
        """The queued tasks, oldest first (handy in tests)."""
        return tuple(BackgroundTask(*call) for call in self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    def __repr__(self) -> str:
        names = ", ".join(describe(func) for func, _, _ in self._tasks)
        return f"<BackgroundTasks [{names}]>"


class TimedTasks:
    """What :meth:`BackgroundTasks.with_timeout` returns: ``add_task`` with a time limit."""

    __slots__ = ("_limit", "_tasks")

    def __init__(self, tasks: BackgroundTasks, limit: float | None) -> None:
        self._tasks = tasks
        self._limit = limit

    def add_task(
        self,
        func: Callable[P, Awaitable[Any]] | Callable[P, Any],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """Queue ``func(*args, **kwargs)``, cancelled if it runs longer than the limit."""
        tasks = self._tasks
        tasks.add_task(func, *args, **kwargs)
        if tasks._timeouts is None:
            tasks._timeouts = {}
        tasks._timeouts[len(tasks._tasks) - 1] = self._limit

    def __repr__(self) -> str:
        return f"<BackgroundTasks with_timeout({self._limit!r})>"


def check_seconds(value: object, where: str) -> float | None:
    """``value`` as a time limit in seconds: a positive number, or None for no limit."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InjectionError(
            f"{where} takes a number of seconds greater than 0, or None for no limit; "
            f"got {value!r}.",
            hint="pass e.g. 5 or 0.5; None lifts the limit.",
        )
    return float(value)
