"""``record``: which providers ran, which finalizers ran, which background tasks were queued.

A :class:`Recorder` is a context manager (``with`` or ``async with``) that

* opens a request scope that injected calls inside the block join (so what they queue
  lands in one place), and makes the scopes ``container.request()`` opens meanwhile (an
  adapter's) report to it too;
* replaces every provider it can find with a twin that notes when it runs and when its
  teardown starts (through ordinary overrides, so nothing about the core changes);
* in ``tasks="capture"`` mode (the default) keeps the queued tasks instead of running
  them: they are in ``recorder.tasks`` for the test to assert on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from .._background import BackgroundTask
from .._container import Container
from .._exceptions import InjectionError
from .._request import RequestScope
from .._scope import Scope
from .._wording import safe_repr
from . import _core_access as core
from ._probe import ProbeScope, tap
from ._twin import make_twin

__all__ = ["Event", "Recorder", "record"]

TaskMode = Literal["capture", "run"]


@dataclass(frozen=True)
class Event:
    """One thing a recorder saw, in the order it happened.

    ``kind`` is ``"provider"`` (a provider was called), ``"finalizer"`` (the code after a
    generator provider's ``yield`` started; ``error`` is the exception thrown into it, if
    any) or ``"task"`` (a background task was queued; ``task`` is it).
    """

    kind: Literal["provider", "finalizer", "task"]
    name: str
    error: BaseException | None = None
    task: BackgroundTask[Any] | None = None


class Recorder:
    """What happened inside a ``record(container)`` block (see :func:`record`)."""

    def __init__(
        self,
        container: Container,
        roots: Iterable[Callable[..., Any]] = (),
        *,
        tasks: TaskMode = "capture",
        providers: bool = True,
        app: bool = False,
        local: bool | None = None,
    ) -> None:
        core.require_container(container, "record")
        roots = tuple(roots)
        for root in roots:
            if not callable(root):
                raise InjectionError(
                    f"record() watches functions; {safe_repr(root)} is not one.",
                    hint="pass them as separate arguments: record(container, f, g).",
                )
        if tasks not in ("capture", "run"):
            raise InjectionError(
                f"record(tasks={tasks!r}) is not a mode.",
                hint='use tasks="capture" (keep them for assertions) or tasks="run".',
            )
        self.container = container
        self.events: list[Event] = []
        self.tasks: list[BackgroundTask[Any]] = []
        self.scope: RequestScope = ProbeScope(container, None, self)
        self._roots = roots
        self._capture = tasks == "capture"
        self._providers = providers
        self._app = app
        self._local = local
        self._active = False
        self._undo: ExitStack | None = None

    # -- what was seen -------------------------------------------------------------------

    @property
    def providers(self) -> list[str]:
        """The providers that ran, in order, by the names graphs and errors use."""
        return [e.name for e in self.events if e.kind == "provider"]

    @property
    def finalizers(self) -> list[str]:
        """The generator providers whose teardown ran, in order."""
        return [e.name for e in self.events if e.kind == "finalizer"]

    @property
    def capturing(self) -> bool:
        """Whether queued tasks are kept instead of run."""
        return self._capture

    def __str__(self) -> str:
        tasks = ", ".join(_show_task(t) for t in self.tasks)
        return (
            f"providers: {', '.join(self.providers) or '-'}\n"
            f"finalizers: {', '.join(self.finalizers) or '-'}\n"
            f"tasks{' (captured)' if self._capture else ''}: {tasks or '-'}"
        )

    def __repr__(self) -> str:
        return (
            f"<Recorder providers={len(self.providers)} finalizers={len(self.finalizers)} "
            f"tasks={len(self.tasks)}>"
        )

    # -- what probe scopes and twins report (the Listener protocol) ------------------------

    def task_queued(self, task: BackgroundTask[Any]) -> None:
        self.tasks.append(task)
        self.events.append(Event("task", task.name, task=task))

    def keeps_tasks(self) -> bool:
        return self._capture

    def _called(self, name: str) -> None:
        if self._active:
            self.events.append(Event("provider", name))

    def _finalizing(self, name: str, error: BaseException | None) -> None:
        if self._active:
            self.events.append(Event("finalizer", name, error))

    # -- entering and leaving --------------------------------------------------------------

    def _configure(self, *, tasks: TaskMode | None = None, providers: bool | None = None) -> None:
        """Change what to record before the block starts (the pytest plugin does this)."""
        if self._undo is not None:
            raise InjectionError("This recorder has already started.")
        if tasks is not None:
            self._capture = tasks == "capture"
        if providers is not None:
            self._providers = providers

    def _start(self) -> None:
        if self._undo is not None:
            raise InjectionError(
                "This recorder has already been used; a recorder records one block.",
                hint="call record(container) again for a new one.",
            )
        local = self._local
        if local is None:
            # Under local overrides a global twin would be shadowed by them, so go local.
            local = core.has_local_overrides(self.container)
        stack = self._undo = ExitStack()
        try:
            if self._providers:
                for target in self._targets():
                    twin = make_twin(
                        target.provider,
                        on_call=functools.partial(self._called, target.label),
                        on_teardown=functools.partial(self._finalizing, target.label),
                        label=target.label,
                    )
                    stack.enter_context(self.container.override(target.key, twin, local=local))
            stack.callback(tap(self.container).activate(self, local=local))
        except BaseException:
            stack.close()
            raise
        self._active = True

    def _stop(self) -> None:
        self._active = False
        assert self._undo is not None
        self._undo.close()

    def _targets(self) -> list[core.Target]:
        roots = [*self._roots, *core.injected_functions(self.container)]
        by_key: dict[int, core.Target] = {}
        skipped: set[int] = set()
        for root in roots:
            try:
                graph = core.solved_graph(self.container, root, partial=True)
            except InjectionError:
                continue  # an unreadable function: calling it raises the real error
            for target in core.targets_of(graph):
                self._consider(target, by_key, skipped)
        for tp in core.registered_types(self.container):
            found = core.effective_provider(self.container, tp)
            if found is not None:
                provider, scope = found
                target = core.Target(
                    tp, provider, scope, core.label_of(provider), core.is_plain_value(provider, tp)
                )
                self._consider(target, by_key, skipped)
        return list(by_key.values())

    def _consider(
        self, target: core.Target, by_key: dict[int, core.Target], skipped: set[int]
    ) -> None:
        key = id(target.key)
        if key in skipped:
            return
        if target.is_value or (target.scope is Scope.APP and not self._app):
            # An app-scoped twin would rebuild the singleton; a plain value never "runs".
            skipped.add(key)
            by_key.pop(key, None)
            return
        by_key.setdefault(key, target)

    def __enter__(self) -> Recorder:
        self._start()
        try:
            self.scope.__enter__()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.scope.__exit__(exc_type, exc, tb)
        finally:
            self._stop()

    async def __aenter__(self) -> Recorder:
        self._start()
        try:
            await self.scope.__aenter__()
        except BaseException:
            self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.scope.__aexit__(exc_type, exc, tb)
        finally:
            self._stop()


def record(
    container: Container,
    *roots: Callable[..., Any],
    tasks: TaskMode = "capture",
    app: bool = False,
    local: bool | None = None,
) -> Recorder:
    """Record which providers run, which finalizers run and which tasks are queued.

    Use it as ``with record(container) as rec:`` or ``async with``.  Inside the block a
    request scope is open: injected calls join it (they share its request-scoped values,
    as inside one request), and scopes opened with ``container.request()`` (an adapter's)
    report to the recorder too.  With ``tasks="capture"`` (the default) queued background
    tasks are kept in ``rec.tasks`` and not run; ``tasks="run"`` runs them as usual.

    Providers are found in the graphs of the functions decorated with ``container.inject``
    and of ``roots`` (an adapter's endpoints, or any function you ``scope.call``), and
    among the registered types, and are watched through
    overrides, so enter your own overrides *before* the recorder.  App-scoped providers are
    left alone unless ``app=True`` (watching one means building it anew inside the block,
    as any override does).  ``local`` is the overrides' ``local`` (default: local if the
    current context already has local overrides).
    """
    return Recorder(container, roots, tasks=tasks, app=app, local=local)


def _show_task(task: BackgroundTask[Any]) -> str:
    parts = [repr(a) for a in task.args] + [f"{k}={v!r}" for k, v in task.kwargs.items()]
    return f"{task.name}({', '.join(parts)})"
