"""Background tasks that another process runs: the protocol a queue adapter implements,
and how a request holds them until it may send them.

A task object that carries a :class:`Dispatcher` as ``__injectkit_dispatcher__`` (a
Celery task made by ``injectkit.integrations.celery``, say) is not run in process by
``BackgroundTasks.add_task``: the dispatcher checks the call at once (an
``InjectionError`` in the request that made the mistake), and the request sends it when
the data it wrote is committed:

- ``"after_finalizers"`` (the default): after every request finalizer has run without
  error (the session that commits in its finalizer has committed).  The sends go last on
  the request's finalizer stack; an error of the handler or of a finalizer reaches them
  instead, and nothing is sent (logged, with the tasks' names).
- ``"after_response"``: as an in-process background task, right after the response
  (before the finalizers); only if the handler succeeded.

A send that fails (the broker unreachable after the dispatcher's own bounded retries) is
logged on the ``injectkit`` logger with the task's name and arguments and handed to the
dispatcher's ``on_send_error`` hook (an outbox table, say): never lost silently.

Nothing here runs for a plain task: ``add_task`` pays one attribute look-up.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import anyio.to_thread

from ._exceptions import InjectionError
from ._introspect import describe
from ._request_key import META
from ._wording import safe_repr

if TYPE_CHECKING:
    from ._background import BackgroundTasks
    from ._request import RequestScope

__all__ = ["Dispatcher", "SendErrorHook", "SendTiming", "queue_dispatch"]

logger = logging.getLogger("injectkit")

SendTiming = Literal["after_finalizers", "after_response"]
# on_send_error(error, task, args, kwargs): a send failed for good.
SendErrorHook = Callable[[BaseException, Any, tuple[Any, ...], dict[str, Any]], object]


class Dispatcher(Protocol):
    """What a queue adapter gives injectkit, as the task's ``__injectkit_dispatcher__``.

    ``check`` raises an ``InjectionError`` for a call the worker could not run
    (arguments the queue cannot encode, a task the worker cannot import by name, a
    parameter the task does not have); it runs in ``add_task``.  ``send`` hands the call
    to the queue, blocking (injectkit runs it in a worker thread from async code), with
    any retry bounded; it raises if the task could not be sent.  ``timing`` says when.
    """

    timing: SendTiming
    on_send_error: SendErrorHook | None

    def check(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None: ...

    def send(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None: ...


Send = tuple[Dispatcher, Any, tuple[Any, ...], dict[str, Any]]


def describe_send(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``name(args, key=value)`` for the log (a queue's task names itself: Celery's do)."""
    name = getattr(task, "name", None)
    if not isinstance(name, str):
        name = describe(task)
    shown = [safe_repr(arg) for arg in args]
    shown += [f"{key}={safe_repr(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def send_one(dispatcher: Dispatcher, task: Any, args: tuple[Any, ...], kwargs: Any) -> None:
    """Send one task; a failure is logged with its arguments and handed to the hook."""
    try:
        dispatcher.send(task, args, kwargs)
    except Exception as error:
        call = describe_send(task, args, kwargs)
        logger.error("task %s was not sent to its queue: %r", call, error, exc_info=error)
        hook = dispatcher.on_send_error
        if hook is not None:
            try:
                hook(error, task, args, kwargs)
            except Exception:
                logger.exception("the on_send_error hook failed for task %s", call)


class Outbox:
    """A request's tasks to send once its finalizers have run; the oldest finalizer."""

    __slots__ = ("sends",)

    label = "the queued tasks' sender"

    def __init__(self) -> None:
        self.sends: list[Send] = []

    def chain(self) -> list[str]:
        return [self.label]

    def send_all(self) -> None:
        for dispatcher, task, args, kwargs in self.sends:
            send_one(dispatcher, task, args, kwargs)

    def drop(self, error: BaseException) -> None:
        calls = ", ".join(describe_send(task, args, kwargs) for _, task, args, kwargs in self.sends)
        logger.warning(
            "not sending %d queued task(s) because the request ended with %s: %s",
            len(self.sends),
            safe_repr(error),
            calls,
        )

    # The finalizer: started up to its yield when pushed, resumed (or thrown into) last.
    def sync_finalizer(self) -> Generator[None, None, None]:
        try:
            yield None
        except BaseException as error:
            self.drop(error)
            raise
        self.send_all()

    async def async_finalizer(self) -> AsyncGenerator[None, None]:
        try:
            yield None
        except BaseException as error:
            self.drop(error)
            raise
        # Sending blocks on the network: off the event loop.
        await anyio.to_thread.run_sync(self.send_all)


def _started_async(agen: AsyncGenerator[None, None]) -> None:
    """Run ``agen`` to its first ``yield`` from sync code (nothing is awaited before it)."""
    try:
        agen.asend(None).send(None)
    except StopIteration:
        return
    raise AssertionError("the sender awaited before its yield")  # pragma: no cover


def _request_of(tasks: BackgroundTasks) -> RequestScope | None:
    """The open request scope whose BackgroundTasks ``tasks`` is, from the current context.

    A BackgroundTasks does not point back to its request: that reference cycle would leave
    every request with tasks to the garbage collector (+12 % instructions a request).
    The request is open in this context, in its container's context variable.
    """
    for value in contextvars.copy_context().values():
        if type(value) is dict:
            scope = value.get(META)  # the RequestScope, None, or a sentinel
            if getattr(scope, "_tasks", None) is tasks:
                return cast("RequestScope", scope)
    return None


def queue_dispatch(
    tasks: BackgroundTasks,
    dispatcher: Dispatcher,
    task: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """``tasks.add_task(task, *args, **kwargs)`` for a task another process runs."""
    dispatcher.check(task, args, kwargs)
    if dispatcher.timing == "after_response":
        tasks._tasks.append((send_one, (dispatcher, task, args, kwargs), {}))
        return
    scope = _request_of(tasks)
    if scope is None:
        raise InjectionError(
            f"{describe(task)} is sent to a queue once its request's finalizers have run, "
            "but this BackgroundTasks belongs to no request scope.",
            hint="declare BackgroundTasks as a parameter of an injected function (or use "
            "scope.background_tasks) instead of creating one.",
        )
    outbox = getattr(tasks, "_outbox", None)
    if outbox is None:
        outbox = tasks._outbox = Outbox()
        finalizers = scope._finalizers
        if finalizers is None:
            finalizers = scope._finalizers = []
        # At the bottom of the stack: closed last, after the finalizers that commit.
        if scope._is_async:
            sender = outbox.async_finalizer()
            _started_async(sender)
            finalizers.insert(0, (sender, True, outbox))
        else:
            gen = outbox.sync_finalizer()
            next(gen)
            finalizers.insert(0, (gen, False, outbox))
    outbox.sends.append((dispatcher, task, args, kwargs))
