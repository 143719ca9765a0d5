"""Celery: tasks whose dependencies are resolved in the worker, sent by ``add_task``.

::

    from injectkit.integrations.celery import TaskInfo, inject, setup

    celery_app = Celery("shop", broker=os.environ["BROKER_URL"])
    setup(celery_app, container)

    @inject(celery_app)
    def send_report(user_id: int, db: Session, info: TaskInfo) -> None:
        ...                                   # db: resolved in the worker

    @web_inject
    async def handler(user_id: int, tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(send_report, user_id)  # sent once the request's finalizers ran

Worker side: an app scope per worker process (closed at the worker's shutdown), a
request scope per task execution (a retry gets a fresh one) with the task's
:class:`TaskInfo` in its context, its own BackgroundTasks and its finalizers after the
task body; every injected task of the app validated when the worker starts (a worker
with a broken graph does not start).  Async task functions run on one event loop per
worker process.

Web side: ``tasks.add_task(send_report, user_id)`` checks the call at once (arguments
the task's serializer cannot encode, a task the worker cannot import by name, a
parameter the task does not have: an ``InjectionError``) and sends it when the request's
data is committed: after its finalizers by default, or right after the response with
``send="after_response"`` (see ``injectkit._dispatch``).  Injected parameters are never
sent: the worker resolves them.  Delivery is at least once (``acks_late`` and
``reject_on_worker_lost`` by default): use ``TaskInfo.id`` to make a task idempotent.
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import Container, InjectionError
from .._background import DISPATCHER_ATTR
from .._binding import Binder, accepted_names, positional_names
from .._dispatch import SendErrorHook, SendTiming
from .._graph import Graph
from .._introspect import MISSING, CallKind, call_kind, unwrap_injected
from .._plan_shape import plan_nodes
from .._wording import safe_repr
from ._setup_checks import missing_extra, require_container

try:
    import celery
    import celery.signals
    from anyio.from_thread import BlockingPortal, start_blocking_portal
    from kombu.serialization import dumps
except ImportError as error:  # pragma: no cover - the extra is installed in the tests
    raise missing_extra("Celery", "celery", error) from None

__all__ = ["CeleryDispatcher", "InjectedTask", "TaskInfo", "inject", "setup"]

logger = logging.getLogger("injectkit")
F = TypeVar("F", bound=Callable[..., Any])
_APP_ATTR = "_injectkit_dispatcher"
_TIMINGS = ("after_finalizers", "after_response")


@dataclass(frozen=True)
class TaskInfo:
    """The task execution a request scope of the worker runs; declare ``info: TaskInfo``.

    ``id`` is the same on every delivery of one sent task (use it to make the task
    idempotent: delivery is at least once); ``retries`` counts ``task.retry()`` calls;
    ``redelivered`` is True when the broker says the message was delivered before.
    """

    id: str
    name: str
    retries: int
    redelivered: bool
    task: Any  # the celery Task, for task.retry(...)


class InjectedTask(celery.Task):  # type: ignore[misc]
    """The base class of the tasks :func:`inject` makes: at-least-once delivery."""

    acks_late = True
    reject_on_worker_lost = True
    typing = False  # the free parameters are checked by add_task (CeleryDispatcher.check)


class CeleryDispatcher:
    """Sends injected Celery tasks for ``BackgroundTasks.add_task``; one per Celery app.

    Made by :func:`setup`; also runs the worker side (app scope, validation at start).
    """

    def __init__(
        self,
        app: celery.Celery,
        container: Container,
        *,
        timing: SendTiming,
        retries: int,
        on_send_error: SendErrorHook | None,
    ) -> None:
        self.app = app
        self.container = container
        self.timing: SendTiming = timing
        self.on_send_error = on_send_error
        # Bounded: kombu retries the connection this many times, 0.2 s apart at most.
        self.retry_policy = {
            "max_retries": retries,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        }
        self.functions: dict[str, Callable[..., Any]] = {}  # task name -> injected function
        self._binders: dict[str, Binder] = {}
        self._imported: set[str] = set()
        self._lock = threading.Lock()
        self._portal: AbstractContextManager[BlockingPortal] | None = None
        self._loop: BlockingPortal | None = None

    # -- web side: BackgroundTasks.add_task ------------------------------------------------

    def check(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Raise an InjectionError for a call the worker could not run (see the module)."""
        name = task.name
        self._check_parameters(name, args, kwargs)
        try:
            dumps((args, kwargs, {}), serializer=task.serializer)  # type: ignore[no-untyped-call]
        except Exception as error:
            raise InjectionError(
                f"Celery task {name} cannot be sent: its serializer ({task.serializer}) "
                f"cannot encode the arguments {safe_repr(args)} {safe_repr(kwargs)} "
                f"({type(error).__name__}: {error}).",
                path=(name,),
                hint="pass plain values (ids, strings, numbers) and load the rest in the "
                "task, where its dependencies are injected.",
            ) from None
        self._check_importable(name)

    def send(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Hand the call to the broker (blocking; retried a bounded number of times)."""
        task.apply_async(args, kwargs, retry=True, retry_policy=self.retry_policy)

    def _check_parameters(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The errors a call of the task would raise in the worker, raised now."""
        binder = self._binder(name)
        if binder.var_positional or binder.var_keyword:
            bound, _, _ = binder.bind_open(args, kwargs)
        else:
            bound = binder.bind(args, kwargs)
        missing = sorted(
            {
                source.name
                for _, _, source in binder.graph.free_inputs()
                if source.default is MISSING
                and source.name in binder.accepted
                and source.name not in bound
            }
        )
        if missing:
            raise InjectionError(
                f"Celery task {name} needs a value for {', '.join(missing)}, which the "
                "call does not pass.",
                path=(name,),
                requested=", ".join(missing),
                hint="pass every parameter that the task does not have injected.",
            )

    def _binder(self, name: str) -> Binder:
        binder = self._binders.get(name)
        if binder is None:
            graph = self._graph(name)
            binder = Binder(
                graph, accepted_names(graph, plan_nodes(graph)), positional_names(graph)
            )
            self._binders[name] = binder
        return binder

    def _graph(self, name: str) -> Graph:
        container = self.container
        original = unwrap_injected(self.functions[name])
        return container._solve(
            container._signatures.read(original),
            sync=not call_kind(original).is_async,
            context_types=frozenset({TaskInfo}),
            layer=None,
        )

    def _check_importable(self, name: str) -> None:
        if name in self._imported:
            return
        function = self.functions[name]
        module_name, qualname = function.__module__, function.__qualname__
        found: Any = None
        if module_name != "__main__" and "<locals>" not in qualname:
            try:
                found = importlib.import_module(module_name)
                for part in qualname.split("."):
                    found = getattr(found, part)
            except (ImportError, AttributeError):
                found = None
        if getattr(found, "name", None) != name:
            raise InjectionError(
                f"Celery task {name} cannot be found by the worker: it is not importable as "
                f"{module_name}.{qualname}.",
                path=(name,),
                hint="define the task at the top level of a module the worker imports "
                "(not inside a function, not in __main__).",
            )
        self._imported.add(name)

    # -- worker side -----------------------------------------------------------------------

    def run(self, name: str, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """One execution: a request scope of its own around the injected function."""
        request = task.request
        info = TaskInfo(
            id=request.id,
            name=name,
            retries=request.retries,
            redelivered=bool((request.delivery_info or {}).get("redelivered")),
            task=task,
        )
        original = unwrap_injected(self.functions[name])
        if call_kind(original) is CallKind.ASYNC:
            return self._event_loop().call(self._run_async, original, info, args, kwargs)
        with self.container.request({TaskInfo: info}) as scope:
            return scope.call_sync(original, *args, **kwargs)

    async def _run_async(
        self,
        original: Callable[..., Any],
        info: TaskInfo,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        async with self.container.request({TaskInfo: info}) as scope:
            return await scope.call(original, *args, **kwargs)

    def _event_loop(self) -> BlockingPortal:
        """The worker process's event loop for async tasks (a thread, started once)."""
        with self._lock:
            if self._loop is None:
                self._portal = start_blocking_portal()
                self._loop = self._portal.__enter__()
            return self._loop

    def validate(self) -> None:
        """Check every injected task of the app (at worker start)."""
        if self.functions:
            self.container.validate(*self.functions.values(), context_types=[TaskInfo], strict=True)

    def close(self) -> None:
        """End this process's app scope (at worker shutdown): its finalizers run."""
        portal, loop = self._portal, self._loop
        if loop is None:
            self.container.close()
            return
        try:
            loop.call(self.container.aclose)
        finally:
            self._portal = self._loop = None
            assert portal is not None
            portal.__exit__(None, None, None)


def setup(
    app: celery.Celery,
    container: Container,
    *,
    send: SendTiming = "after_finalizers",
    send_retries: int = 3,
    on_send_error: SendErrorHook | None = None,
) -> CeleryDispatcher:
    """Tie ``container`` to the Celery ``app``; then decorate tasks with :func:`inject`.

    ``send``: when ``add_task`` sends a task, ``"after_finalizers"`` (the request's data
    committed) or ``"after_response"``.  ``send_retries``: how many times a send retries
    an unreachable broker (0.2 s apart) before it is logged as not sent and handed to
    ``on_send_error(error, task, args, kwargs)`` (write it to an outbox table, say).
    """
    container = require_container(container, "Celery", app=app)
    if send not in _TIMINGS:
        raise InjectionError(
            f"setup(send=...) takes 'after_finalizers' or 'after_response', got {send!r}.",
            hint="'after_finalizers' (the default) sends once the request's data is committed.",
        )
    dispatcher = CeleryDispatcher(
        app, container, timing=send, retries=send_retries, on_send_error=on_send_error
    )
    setattr(app, _APP_ATTR, dispatcher)
    _connect_worker_signals(app, dispatcher)
    return dispatcher


def inject(app: celery.Celery, **options: Any) -> Callable[[F], Any]:
    """Decorator: a Celery task of ``app`` whose dependencies the worker resolves.

    ``options`` go to ``app.task`` (``name``, ``max_retries``...); the task
    is at least once by default (``acks_late``, ``reject_on_worker_lost``).  The task
    takes only the function's free parameters; ``tasks.add_task(task, ...)`` sends it.
    """
    dispatcher = getattr(app, _APP_ATTR, None)
    if not isinstance(dispatcher, CeleryDispatcher):
        raise InjectionError(
            "inject(app) needs the Celery app tied to a container first.",
            hint="call injectkit.integrations.celery.setup(app, container) before "
            "decorating tasks.",
        )

    def decorate(func: F) -> Any:
        original = unwrap_injected(func)
        task_options = {"base": InjectedTask, **options}
        name = task_options.pop("name", None) or _task_name(app, original)
        dispatcher.functions[name] = original

        @functools.wraps(original, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
        def run(task: Any, /, *args: Any, **kwargs: Any) -> Any:
            return dispatcher.run(name, task, args, kwargs)

        run.__wrapped__ = original
        task_options[DISPATCHER_ATTR] = dispatcher  # what add_task looks for
        # The task itself, not Celery's lazy proxy: code that inspects module attributes
        # (isinstance) would otherwise build the task at an odd moment.
        return app.task(bind=True, name=name, lazy=False, **task_options)(run)

    return decorate


def _task_name(app: celery.Celery, func: Callable[..., Any]) -> str:
    from celery.utils.imports import gen_task_name

    return str(gen_task_name(app, func.__name__, func.__module__))


def _connect_worker_signals(app: celery.Celery, dispatcher: CeleryDispatcher) -> None:
    """Validation when the worker starts; the app scope closed when a process ends."""

    def ours(sender: Any) -> bool:
        return getattr(sender, "app", None) is app

    def on_worker_init(sender: Any = None, **_: Any) -> None:
        if not ours(sender):
            return
        try:
            dispatcher.validate()
        except InjectionError as error:
            logger.critical("the worker does not start: its tasks' graphs are wrong:\n%s", error)
            raise SystemExit(1) from error

    def on_worker_shutdown(sender: Any = None, **_: Any) -> None:
        if ours(sender):
            _close(dispatcher)

    def on_process_shutdown(**_: Any) -> None:  # a prefork child: its own app scope
        _close(dispatcher)

    celery.signals.worker_init.connect(on_worker_init, weak=False)
    celery.signals.worker_shutdown.connect(on_worker_shutdown, weak=False)
    celery.signals.worker_process_shutdown.connect(on_process_shutdown, weak=False)


def _close(dispatcher: CeleryDispatcher) -> None:
    try:
        dispatcher.close()
    except Exception:
        logger.exception("closing the worker's app scope failed")
