"""The request scope: one request's cached values, BackgroundTasks and finalizers.

Closing it after a successful call runs the background tasks first (in the order added),
then the request finalizers (newest first), so a task may still use a request resource.
If the call raised, the tasks are dropped and the exception is thrown into the finalizers.
Finalizers always run, shielded from cancellation (see _shield for when no shield is needed).
While they run the scope is closing and takes no new joiner.  A task's own exception,
``BaseException``s included, is that task's failure: only a real cancellation of the scope
or the process stopping skips the remaining tasks.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Callable, Mapping
from contextvars import Token
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from ._background import BackgroundTask, BackgroundTasks, QueuedCall, is_async_task
from ._cancelled import being_cancelled
from ._exceptions import InjectionError
from ._finalize import Finalizer, aclose_all, aclose_within, close_all
from ._introspect import MISSING, describe
from ._request_key import META, Sentinel
from ._shield import shield_needed
from ._task_frames import running_finalizer
from ._thread_calls import ThreadCall

if TYPE_CHECKING:
    from ._container import Container

__all__ = ["BARE_SYNC", "ENDED", "META", "RequestScope", "RequestState"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True

logger = logging.getLogger("injectkit")
asyncio_loop = asyncio.events._get_running_loop  # the asyncio loop, or None (trio)

T = TypeVar("T")

_NEW, _OPEN, _CLOSING, _CLOSED = 0, 1, 2, 3
_NO_CONTEXT: frozenset[Any] = frozenset()
_EMPTY: Mapping[Any, Any] = MappingProxyType({})


# A request's state is one dict: the request-scoped values by cache key, plus one entry
# under META saying what the request is.  The current request is that dict (in the
# container's context variable).  A plain injected call opens a "bare" request, only the
# dict, and gets a RequestScope object lazily if its plan needs one (tasks, finalizers,
# context); creating that object on every call would cost more than the rest of the call.
# META's value: None (a bare request opened by an async call), BARE_SYNC (by a sync
# call), the RequestScope, or ENDED once the request is over.
BARE_SYNC = Sentinel("bare sync request")
ENDED = Sentinel("ended request")
RequestState = dict[object, Any]


def _ends_the_request(error: BaseException, *, asynchronous: bool) -> bool:
    """Whether what a background task raised ends the request (the remaining tasks are
    skipped) rather than being that task's own failure (logged; the others run).

    The process stopping (``KeyboardInterrupt``, ``SystemExit``) ends it, and so does a
    cancellation of the scope the tasks run in.  A cancellation exception that the task
    raised while nothing cancelled it (a stray ``CancelledError``) is the task's failure.
    """
    if isinstance(error, Exception):
        return False
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        return True
    return asynchronous and being_cancelled()


class RequestScope:
    """One request: ``async with container.request() as scope`` (or ``with``).

    Inside it, injected calls join the scope and share its request-scoped values;
    ``call`` / ``call_sync`` run any function with injection, ``resolve`` /
    ``resolve_sync`` give one value.  ``context`` maps types to values that parameters
    annotated with those types receive (an adapter puts the framework's request there).
    """

    # Class-level defaults instead of __slots__: opening a scope is on every call's path,
    # and most scopes never need their own context, finalizer list or tasks.
    _context: Mapping[Any, Any] = _EMPTY
    _context_types: frozenset[Any] = _NO_CONTEXT
    _tasks: BackgroundTasks | None = None
    _finalizers: list[Finalizer] | None = None
    _is_async = True
    _state = _NEW
    _token: Token[RequestState | None] | None = None
    # While it closes: the cancel scope of the task or finalizer it runs, if that has one
    # (see aclose); once the container's shutdown cut it (see _closing): that it did, the
    # grace that had passed, and the task closing the request.
    _item: anyio.CancelScope | None = None
    _cut = False
    _cut_grace: float | None = None
    _host: object = None
    # Set when the sync task just stopped was still waiting for a thread: it never ran.
    _unstarted = False

    def __init__(self, container: Container, context: Mapping[Any, Any] | None = None) -> None:
        self._container = container
        self._values: RequestState = {META: self}
        if context:
            if not isinstance(context, Mapping):
                raise InjectionError(
                    f"request(context=...) takes a mapping of types to values, got "
                    f"{type(context).__name__}.",
                    hint="pass e.g. {Request: request}.",
                )
            self._context = dict(context)
            self._context_types = frozenset(self._context)

    @classmethod
    def _adopt(cls, container: Container, state: RequestState) -> RequestScope:
        """The scope object of a bare request, made when its plan first needs one."""
        scope = object.__new__(cls)
        scope._container = container
        scope._values = state
        scope._state = _OPEN
        scope._is_async = state[META] is not BARE_SYNC
        state[META] = scope
        return scope

    # -- what a request holds ----------------------------------------------------------------

    @property
    def container(self) -> Container:
        return self._container

    @property
    def context(self) -> Mapping[Any, Any]:
        return self._context

    @property
    def background_tasks(self) -> BackgroundTasks:
        """This request's one :class:`BackgroundTasks` (created on first use)."""
        tasks = self._tasks
        if tasks is None:
            tasks = self._tasks = BackgroundTasks()
        return tasks

    # -- entering and leaving --------------------------------------------------------------

    def _open(self, is_async: bool) -> None:
        if self._state != _NEW:
            raise InjectionError(
                "This request scope has already been entered; a scope is used once.",
                hint="open a new one with container.request().",
            )
        self._state = _OPEN
        self._is_async = is_async
        self._token = self._container._scope_var.set(self._values)

    def _release(self) -> None:
        self._state = _CLOSED
        values = self._values
        token = self._token
        if token is None:  # a plain call's request: it goes with its state (_container)
            values[META] = ENDED
            return
        values.clear()  # let this request's values go, even if the state lingers
        values[META] = ENDED
        try:
            self._container._scope_var.reset(token)
        except ValueError:  # closed in another context than it was opened in
            self._container._scope_var.set(None)
        self._token = None

    async def __aenter__(self) -> RequestScope:
        self._open(True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        error = await self.aclose(exc)
        if error is not None and error is not exc:
            raise error

    def __enter__(self) -> RequestScope:
        self._open(False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        error = self.close(exc)
        if error is not None and error is not exc:
            raise error

    async def aclose(self, exc: BaseException | None = None) -> BaseException | None:
        """End the request: tasks (if ``exc`` is None), then finalizers, newest first.

        Returns the exception the request ends with (``exc``, or one a task's
        cancellation or a finalizer raised), for adapters that close scopes by hand.
        Closing a scope that is closing or closed already does nothing: its tasks run
        once.
        """
        if self._state >= _CLOSING:
            return exc
        tasks = self._tasks
        # On asyncio a task or finalizer with no time limit gets no cancel scope of its own
        # (one costs more than the task's call): a shutdown cancels the task closing the
        # request instead.  On trio (no asyncio loop here) every one gets one.
        on_asyncio = asyncio_loop() is not None
        try:
            if tasks is not None and tasks._tasks:
                if exc is None:
                    if (
                        on_asyncio
                        and tasks._timeouts is None
                        and self._container.task_timeout is None
                    ):  # run them, in order; inline, as a coroutine more costs 2%
                        queue = tasks._tasks
                        index = 0
                        try:
                            while index < len(queue):  # a task may queue further tasks
                                func, args, kwargs = queue[index]
                                index += 1
                                try:
                                    await (
                                        func(*args, **kwargs)
                                        if is_async_task(func)
                                        else self._in_thread(func, args, kwargs)
                                    )
                                except BaseException as error:
                                    if _ends_the_request(error, asynchronous=True):
                                        raise
                                    self._task_failed(func, args, kwargs, error)
                        except BaseException as cancelled:  # finalizers still run
                            self._cancelled(queue, index, cancelled)
                            exc = self._absorb_cut(cancelled, None)
                    else:
                        exc = await self._run_tasks_within(tasks)
                else:
                    self._drop_tasks(exc)
            finalizers = self._finalizers
            if finalizers:
                # Closing: from here on the scope takes no new joiner.  An injected call
                # that starts now (from a finalizer, or a task a finalizer started) opens a
                # request of its own, as after the scope has closed: joining would put its
                # generators on a stack being closed, to be closed while it runs or never.
                # The tasks ran before this, so a task may still join and use the request.
                # (Two stores inline: a method call here costs 0.5% a request.)
                self._state = _CLOSING
                self._values[META] = ENDED
                for _, is_async, _ in finalizers:
                    if is_async:
                        break
                else:  # sync finalizers have no await a cancellation could hit
                    return close_all(finalizers, exc)
                # _shield.aclose_shielded, inline: one coroutine more costs 2% a request.
                if on_asyncio and self._container.finalizer_timeout is None:
                    if shield_needed():
                        with anyio.CancelScope(shield=True):
                            ended = await aclose_all(finalizers, exc)
                    else:
                        ended = await aclose_all(finalizers, exc)
                    return ended if ended is exc else self._absorb_cut(ended, exc)
                # As for tasks: a cancel scope per finalizer, for its limit, or on trio.
                with anyio.CancelScope(shield=True):
                    return await aclose_within(
                        finalizers, exc, self._container.finalizer_timeout, self
                    )
            return exc
        finally:
            self._release()

    def close(self, exc: BaseException | None = None) -> BaseException | None:
        """The sync twin of :meth:`aclose` (tasks run inline, in order)."""
        if self._state >= _CLOSING:
            return exc
        try:
            if self._tasks:
                if exc is None:
                    try:
                        self._run_tasks()
                    except BaseException as stopping:  # KeyboardInterrupt: finalizers still run
                        exc = stopping
                else:
                    self._drop_tasks(exc)
            if self._finalizers:
                self._state = _CLOSING  # no new joiner (see aclose)
                self._values[META] = ENDED
                exc = close_all(self._finalizers, exc)
            return exc
        finally:
            self._release()

    # -- background tasks ------------------------------------------------------------------

    def _drop_tasks(self, exc: BaseException) -> None:
        assert self._tasks is not None
        logger.debug(
            "dropping %d background task(s) because the call raised %s",
            len(self._tasks),
            type(exc).__name__,
        )

    def _run_tasks(self) -> None:
        assert self._tasks is not None
        queue = self._tasks._tasks
        index = 0
        while index < len(queue):
            func, args, kwargs = queue[index]
            index += 1
            try:
                if is_async_task(func):
                    anyio.run(functools.partial(func, *args, **kwargs))
                else:
                    func(*args, **kwargs)
            except BaseException as error:
                if _ends_the_request(error, asynchronous=False):
                    raise
                self._task_failed(func, args, kwargs, error)

    async def _run_tasks_within(self, tasks: BackgroundTasks) -> BaseException | None:
        """The tasks, each in a cancel scope of its own: its time limit (the container's
        ``task_timeout`` or its ``with_timeout``), and what a shutdown cancels.

        Returns the exception the request goes on with: None, or an outside cancellation.
        """
        queue = tasks._tasks
        default = self._container.task_timeout
        timeouts = tasks._timeouts or {}
        started = 0
        try:
            for started, (func, args, kwargs) in enumerate(queue, 1):
                limit = timeouts.get(started - 1, default)
                deadline = math.inf if limit is None else anyio.current_time() + limit
                with anyio.CancelScope(deadline=deadline) as item:
                    self._item = item
                    try:
                        await (
                            func(*args, **kwargs)
                            if is_async_task(func)
                            else self._in_thread(func, args, kwargs)
                        )
                    except BaseException as error:
                        if _ends_the_request(error, asynchronous=True):
                            raise
                        self._task_failed(func, args, kwargs, error)
                self._item = None
                unstarted, self._unstarted = self._unstarted, False
                if not item.cancelled_caught:
                    continue
                if self._cut:  # the shutdown cut it: start no more
                    self._log_cut_task(func, unstarted)
                    self._not_run(queue, started)
                    break
                if unstarted:
                    logger.error(
                        "background task %s did not start within its time limit (%s s): "
                        "every thread of the container was busy (thread_limit=%d), and it "
                        "was not run",
                        describe(func),
                        limit,
                        self._container._threads.size,
                    )
                    continue
                logger.error(
                    "background task %s did not finish within its time limit (%s s) and was %s",
                    describe(func),
                    limit,
                    "cancelled" if is_async_task(func) else "abandoned; its thread runs on",
                )
        except BaseException as cancelled:  # from outside: the finalizers still run
            self._item = None
            self._cancelled(queue, started, cancelled)
            return cancelled
        return None

    async def _in_thread(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """A sync task in one of the container's threads; a cancellation stops the wait
        (the thread runs on, and reports how the task ended itself)."""
        call = ThreadCall(self, func, args, kwargs)
        try:
            await self._container._threads.run(call.run, abandon_on_cancel=True)
        except BaseException:
            left = call.abandon()
            if left is ThreadCall.PENDING:  # still waiting for a thread: it never runs
                self._unstarted = True
            elif left is ThreadCall.DONE and call.error is not None:  # ended just in time
                self._task_failed(func, args, kwargs, call.error)
            raise
        if call.error is not None:
            self._task_failed(func, args, kwargs, call.error)

    def _cancelled(self, queue: list[QueuedCall], index: int, reason: BaseException) -> None:
        """Name the task a cancellation stopped, and the tasks it kept from starting."""
        func = queue[index - 1][0]
        unstarted, self._unstarted = self._unstarted, False
        if self._cut:
            self._log_cut_task(func, unstarted)
        else:
            logger.error(
                "background task %s was cancelled (%s)%s",
                describe(func),
                type(reason).__name__,
                " while it waited for a thread, and was not run" if unstarted else "",
            )
        self._not_run(queue, index)

    def _not_run(self, queue: list[QueuedCall], index: int) -> None:
        for func, _, _ in queue[index:]:
            logger.error(
                "background task %s did not run: its request was cancelled before it started",
                describe(func),
            )

    # -- shutdown --------------------------------------------------------------------------

    def _log_cut(self, name: str, state: str = "running", outcome: str = "cancelled") -> None:
        logger.error(
            "the container closed while a request was still closing: %s was still "
            "%s after the shutdown grace (%s s) and is %s",
            name,
            state,
            self._cut_grace,
            outcome,
        )

    def _log_cut_task(self, func: Callable[..., Any], unstarted: bool) -> None:
        name = f"background task {describe(func)}"
        if unstarted:
            self._log_cut(name, "waiting for a thread", "not run")
        elif is_async_task(func):
            self._log_cut(name)
        else:
            self._log_cut(name, outcome="abandoned; its thread runs on")

    def _absorb_cut(
        self, error: BaseException | None, before: BaseException | None
    ) -> BaseException | None:
        """The exception the request goes on with, once a shutdown cut its host task.

        That cancellation (see :meth:`_cut_running`) stopped one task or finalizer and
        was logged; it is not the request's error: the request ends as it would have
        (the task that runs it is not left cancelled, so a task group it is in goes on).
        """
        if not self._cut or not isinstance(error, asyncio.CancelledError):
            return error
        host = self._host
        if isinstance(host, asyncio.Task):
            host.uncancel()  # the task was cancelled once, by the cut, and recovered
        return before

    def _cut_running(self, grace: float | None, host: Any) -> None:
        """The container is closing and this scope, closed by ``host``, still is: cancel
        what it runs.  A task is named where its cancellation lands (which knows the
        task); a finalizer is named here.
        """
        self._cut = True
        self._cut_grace = grace
        self._host = host
        finalizer = running_finalizer(host)
        if finalizer is not None:
            self._log_cut(finalizer)
        item = self._item
        if item is not None:
            item.cancel()
        elif isinstance(host, asyncio.Task):
            # No cancel scope of its own (a task or finalizer with no time limit, on
            # asyncio): cancel the task closing the request, as a server's graceful
            # shutdown timeout would.  Its cancellation passes through the shield.
            host.cancel()

    def _task_failed(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        error: BaseException,
    ) -> None:
        task = BackgroundTask(func, args, kwargs)
        logger.error("background task %s failed", task.name, exc_info=error)
        hook = self._container.on_task_error
        if hook is not None:
            try:
                hook(error, task)
            except Exception:
                logger.exception("the on_task_error hook failed for task %s", task.name)

    # -- calling and resolving -------------------------------------------------------------

    def _check_open(self) -> None:
        if self._state != _OPEN:
            if self._state == _CLOSING:
                raise InjectionError(
                    "This request scope is closing (its finalizers are running); it takes "
                    "no new call.",
                    hint="call it before the scope closes, or open a new scope with "
                    "container.request().",
                )
            raise InjectionError(
                "This request scope is not open.",
                hint="use it inside `async with container.request() as scope:` "
                "(or `with` for sync code).",
            )

    async def call(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Call ``func`` in this scope, injecting its dependencies; await it if async."""
        self._check_open()
        plan = self._container._plan(func, False, self._context_types)
        return await plan.run(self._values, args, kwargs)

    def call_sync(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Call a sync ``func`` in this scope; its graph must be sync end to end."""
        self._check_open()
        plan = self._container._plan(func, True, self._context_types)
        result: T = plan.run(self._values, args, kwargs)
        return result

    async def resolve(self, tp: type[T]) -> T:
        """The value this scope provides for type ``tp``."""
        self._check_open()
        plan = self._container._resolver_plan(tp, False, self._context_types)
        result: T = await plan.run(self._values, (), {})
        return result

    def resolve_sync(self, tp: type[T]) -> T:
        self._check_open()
        plan = self._container._resolver_plan(tp, True, self._context_types)
        result: T = plan.run(self._values, (), {})
        return result

    def __repr__(self) -> str:
        state = ("new", "open", "closing", "closed")[self._state]
        values = sum(value is not MISSING for value in self._values.values()) - 1
        return f"<RequestScope {state} values={values}>"
