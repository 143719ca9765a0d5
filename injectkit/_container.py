"""``Container``: registrations, overrides, the app scope, and the cache of compiled plans.

It ties the phases together: ``_introspect`` reads signatures (cached here per callable),
``_graph`` builds and validates a graph, ``_compile`` turns it into a plan, and plans are
cached per (function, sync or async, context types) until registrations or overrides
change.  The per-call path is ``_plan`` (two dict lookups) and the plan itself.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar, cast, overload

from ._aliases import unwrap_alias
from ._annotated_keys import refuse_annotated_key
from ._app import AppState
from ._background import BackgroundTask, BackgroundTasks, check_seconds
from ._cache_keys import CacheKey
from ._closing import wait_for_closing
from ._compile import Plan, compile_plan
from ._exceptions import InjectionError, combine
from ._framework_guard import guarded_signature
from ._graph import Graph, Identity, Registration
from ._graph_builder import GraphBuilder
from ._graph_checks import refuse_function_finalizers
from ._injected import NO_CONTEXT, injected_function
from ._introspect import (
    ORIGINAL_ATTR,
    CallKind,
    Signature,
    call_kind,
    caller_locals,
    describe,
    type_name,
    unwrap_injected,
)
from ._overrides import Layer, Overrides
from ._provided_types import provided_type
from ._render import GraphView
from ._request import BARE_SYNC, ENDED, META, RequestScope, RequestState
from ._resolver import resolver_signature
from ._scope import Scope, parse_scope
from ._signatures import Signatures
from ._threads import ThreadLimiter
from ._validation import find_problems, unique
from ._wording import exception_text, safe_repr

__all__ = ["Container", "default_container", "inject"]

R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

TaskErrorHook = Callable[[BaseException, BackgroundTask[Any]], None]
DEFAULT_THREAD_LIMIT = 40  # anyio's default limiter has as many
DEFAULT_SHUTDOWN_GRACE = 5.0  # within `docker stop`'s 10 s, so the log gets written


class Container:
    """A registry of providers with an app-scope lifetime, overrides and compiled plans.

    ``on_task_error(exc, task)`` is called (besides the log line) when a background task
    raises.  ``concurrent=True`` resolves independent async providers of a request at the
    same time (in an anyio task group) instead of one after another.

    Time limits, in seconds (None: no limit, the default): ``task_timeout`` for each
    background task (``tasks.with_timeout(s)`` sets one task's), ``finalizer_timeout``
    for each async finalizer.  Work still running at its limit is cancelled and named
    on the ``injectkit`` logger.  ``thread_limit`` is the number of worker threads the
    container's sync tasks and offloaded providers share, apart from the framework's.
    ``shutdown_grace``: how long :meth:`aclose` waits for requests still running their
    tasks or finalizers before it cancels them (None: as long as they take).
    """

    def __init__(
        self,
        *,
        on_task_error: TaskErrorHook | None = None,
        concurrent: bool = False,
        task_timeout: float | None = None,
        finalizer_timeout: float | None = None,
        thread_limit: int = DEFAULT_THREAD_LIMIT,
        shutdown_grace: float | None = DEFAULT_SHUTDOWN_GRACE,
    ) -> None:
        self.on_task_error = on_task_error
        self.concurrent = concurrent
        self.task_timeout = check_seconds(task_timeout, "Container(task_timeout=...)")
        self.finalizer_timeout = check_seconds(
            finalizer_timeout, "Container(finalizer_timeout=...)"
        )
        self.shutdown_grace = check_seconds(shutdown_grace, "Container(shutdown_grace=...)")
        if isinstance(thread_limit, bool) or not isinstance(thread_limit, int) or thread_limit < 1:
            raise InjectionError(
                f"Container(thread_limit=...) takes a number of threads, 1 or more; got "
                f"{thread_limit!r}.",
                hint=f"pass e.g. {DEFAULT_THREAD_LIMIT} (the default).",
            )
        self._threads = ThreadLimiter(thread_limit)
        self._registry: dict[Any, Registration] = {}
        self._scope_var: ContextVar[RequestState | None] = ContextVar(
            "injectkit.scope", default=None
        )
        self._signatures = Signatures()
        self._interned: dict[tuple[Any, ...], CacheKey] = {}
        self._plans: dict[Any, Plan] = {}
        self._validated: dict[Any, tuple[int, Graph]] = {}  # graphs validate() built
        self._names: Counter[str] | None = None  # providers per name, for error labels
        self._generation = 0
        self._lock = threading.RLock()
        self._override_state = Overrides(self._lock, self._changed, self._empty_slots)
        self.overrides: MutableMapping[Any, Any] = self._override_state.permanent
        self._local_overrides = self._override_state.local  # read by every plan lookup
        self._app = AppState(self._threads)
        self._injected: list[Callable[..., Any]] = []
        self._slots: list[list[Any]] = []  # each injected function's own plan (see inject)

    # -- registering -----------------------------------------------------------------------

    def register(
        self,
        provides: Any,
        provider: Callable[..., Any] | None = None,
        *,
        scope: Scope | str = Scope.REQUEST,
        offload: bool = False,
    ) -> None:
        """Provide ``provides`` by calling ``provider`` (default: ``provides`` itself).

        ``provider`` may be a class, function, async function, generator or async
        generator; code after a generator's ``yield`` runs when its scope closes.
        ``offload=True`` runs a sync provider in a worker thread under async calls.
        """
        provides = unwrap_alias(provides)
        where = f"register({type_name(provides)})"
        refuse_annotated_key(provides, where, overriding=False)
        if provides is Any or provides is object or provides is None:
            raise InjectionError(
                f"{where}: {type_name(provides)} is too general to be provided: every "
                "parameter annotated with it would receive this value.",
                hint="provide a concrete class (or a NewType) and annotate the parameters "
                "that need it with that type.",
            )
        parsed = parse_scope(
            scope,
            allowed=(Scope.APP, Scope.REQUEST, Scope.FUNCTION, Scope.TRANSIENT),
            where=where,
        )
        if provides is BackgroundTasks:
            raise InjectionError(
                "BackgroundTasks is provided by every request scope and cannot be registered.",
                hint="declare a parameter of type BackgroundTasks wherever you need it.",
            )
        target = provides if provider is None else unwrap_injected(provider)
        if not callable(target):
            raise InjectionError(
                f"{where}: the provider {safe_repr(target)} is not callable.",
                hint="pass a class, a function or a generator function; to register a "
                "ready-made value use `lambda: value` with scope='app'.",
            )
        try:
            hash(provides)
        except Exception as exc:
            raise InjectionError(
                f"{where}: {safe_repr(provides)} cannot be used as a key ({exception_text(exc)}).",
                hint="register a class or a NewType.",
            ) from exc
        self._signatures.remember_namespace(target, caller_locals(1))
        self._registry[provides] = Registration(target, parsed, offload)
        self._changed()

    @overload
    def provider(self, func: F, /) -> F: ...

    @overload
    def provider(
        self, *, scope: Scope | str = ..., offload: bool = ..., provides: Any = ...
    ) -> Callable[[F], F]: ...

    def provider(
        self,
        func: Callable[..., Any] | None = None,
        *,
        scope: Scope | str = Scope.REQUEST,
        offload: bool = False,
        provides: Any = None,
    ) -> Any:
        """Decorator: register a provider for the type its return annotation names.

        ``Iterator[T]``, ``AsyncIterator[T]``, ``Generator[T, ...]`` and
        ``AsyncGenerator[T, ...]`` provide ``T``.  Works with or without parentheses.
        """

        namespace = caller_locals(1)

        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            self._signatures.remember_namespace(f, namespace)
            tp = provides if provides is not None else provided_type(self._signatures.read(f))
            self.register(tp, f, scope=scope, offload=offload)
            return f

        return decorate(func) if func is not None else decorate

    # -- injecting ---------------------------------------------------------------------------

    def inject(self, func: Callable[..., R]) -> Callable[..., R]:
        """Decorator: resolve ``func``'s dependencies on every call.

        The result has ``func``'s kind (sync or async), name, docstring and signature
        (each annotation marked ``Annotated[T, filled by container.inject]``, so that a
        framework reading the parameters itself raises an InjectionError).
        A generator function's gives an injected generator whose request lives until it
        is exhausted or closed (see docs/scopes.md, "Generator handlers").
        For type checkers it keeps the return type but not the parameters: a caller
        passes only the free ones, which a static signature cannot express.
        Called with no request scope active it opens one and closes it when the call ends
        (background tasks, then finalizers); inside an open scope it joins it.
        """
        return self._inject(func, 2)

    def _inject(self, func: Callable[..., R], depth: int) -> Callable[..., R]:
        original = unwrap_injected(func)
        if not callable(original):
            raise InjectionError(
                f"inject() needs a function, got {safe_repr(original)}.",
                hint="decorate a def or async def with @container.inject.",
            )
        self._signatures.remember_namespace(original, caller_locals(depth))
        kind = call_kind(original)
        sync = kind is not CallKind.ASYNC and kind is not CallKind.ASYNC_GENERATOR
        # The plan for the common case (no scope open, no local override), kept in the
        # wrapper: the container empties every slot when registrations or overrides change.
        slot: list[Any] = [None]
        self._slots.append(slot)
        injected = injected_function(
            original,
            kind,
            sync,
            scope_var=self._scope_var,
            plan_for=self._plan,
            slot=slot,
            own_plan=functools.partial(self._own_plan, original, sync, slot),
            adopt=functools.partial(RequestScope._adopt, self),
        )
        return cast("Callable[..., R]", self._mark_injected(original, injected))

    def _mark_injected(self, original: Callable[..., Any], injected: Any) -> Callable[..., Any]:
        setattr(injected, ORIGINAL_ATTR, original)
        # What a framework reading its parameters sees (see _framework_guard).
        injected.__signature__ = guarded_signature(original)
        injected.__injectkit_container__ = self
        self._injected.append(original)
        return cast("Callable[..., Any]", injected)

    def request(self, context: Mapping[Any, Any] | None = None) -> RequestScope:
        """A new request scope; enter it with ``async with`` (or ``with`` for sync code).

        ``context`` maps types to values that parameters annotated with those types get,
        e.g. ``{Request: request}``.
        """
        return RequestScope(self, context)

    @property
    def current_scope(self) -> RequestScope | None:
        """The request scope open in this context, if any."""
        state = self._scope_var.get()
        if state is None or state[META] is ENDED:
            return None
        scope = state[META]
        if scope is None or scope is BARE_SYNC:  # a plain injected call's request
            scope = RequestScope._adopt(self, state)
        current: RequestScope = scope
        return current

    # -- overrides -------------------------------------------------------------------------

    @contextmanager
    def override(self, target: Any, replacement: Any, *, local: bool = False) -> Iterator[None]:
        """Replace ``target`` (a registered type or a callable used in ``Depends``).

        A callable replacement's own parameters are resolved like any provider's; anything
        else (or an instance of ``target``) is used as the value.  Values built from the
        replaced provider, app-scoped ones included, are rebuilt at the next resolution;
        when the override ends, the originals come back.  By default the override is seen
        by every thread and task (like ``overrides``); ``local=True`` limits it to the
        current context (this task and what it starts), so concurrent tests can differ.
        """
        with self._override_state.override(target, replacement, local=local):
            yield

    def _local_layer(self) -> object | None:
        """The context-local override in force here, if any (adapters read the request's
        parameters from the graph under it)."""
        return self._local_overrides.get()

    def _changed(self) -> None:
        self._generation += 1
        self._names = None
        self._plans = {}
        self._validated = {}  # graphs of the previous registrations are of no use
        self._empty_slots()

    def _empty_slots(self) -> None:
        with self._lock:
            for slot in self._slots:
                slot[0] = None

    def _own_plan(
        self, func: Callable[..., Any], sync: bool, slot: list[Any]
    ) -> tuple[Callable[..., Any], dict[object, Any]]:
        """What an injected call needs to open its own request: the plan's ``fresh``
        entry and its state template, kept in the function's slot if they may be."""
        generation = self._generation
        plan = self._plan(func, sync, NO_CONTEXT)
        entry = (plan.compiled("fresh"), plan.template)
        # Kept only if no registration changed meanwhile (that emptied the slot) and no
        # local override exists anywhere (its context would need another plan).
        with self._lock:
            if generation == self._generation and not self._override_state.local_count:
                slot[0] = entry
        return entry

    # -- phases: read, build, compile ------------------------------------------------------

    def _builder(self, layer: Layer | None, root: Signature | None = None) -> GraphBuilder:
        return GraphBuilder(
            registry=self._registry,
            overrides=self._override_state.effective(layer),
            read=self._signatures.reader(root),
            interned=self._interned,
            interning=self._lock,
            provider_names=self._provider_names,
        )

    def _provider_names(self) -> Counter[str]:
        """How many registrations each provider name has (a name shared gets its type in
        error chains); counted when a graph first needs it after a change."""
        names = self._names
        if names is None:
            names = self._names = Counter(
                describe(registration.provider) for registration in self._registry.values()
            )
        return names

    def _solve(
        self,
        root: Signature,
        *,
        sync: bool,
        context_types: frozenset[Any],
        layer: Layer | None,
        strict: bool = False,
    ) -> Graph:
        graph, errors = self._builder(layer, root).build(
            root, context_types=context_types, sync=sync, strict_free=strict
        )
        if errors:
            raise combine(unique(errors))
        return graph

    def _plan(self, func: Callable[..., Any], sync: bool, context_types: frozenset[Any]) -> Plan:
        layer = self._local_overrides.get()
        plans = self._plans if layer is None else self._layer_plans(layer)
        key: tuple[Any, ...] = (func, sync, context_types)
        try:
            plan = plans.get(key)
        except Exception:  # an unhashable callable (or its __hash__ raised): by identity
            key = (Identity(func), sync, context_types)
            plan = plans.get(key)
        if plan is None:
            plan = self._new_plan(
                plans, key, self._signatures.read(unwrap_injected(func)), sync, context_types, layer
            )
        return plan

    def _resolver_plan(self, tp: Any, sync: bool, context_types: frozenset[Any]) -> Plan:
        layer = self._local_overrides.get()
        plans = self._plans if layer is None else self._layer_plans(layer)
        key = ("resolve", tp, sync, context_types)
        try:
            plan = plans.get(key)
        except Exception as exc:  # resolve([1]): not a type, and not hashable
            raise InjectionError(
                f"resolve({type_name(tp)}): {type_name(tp)} is not a type, so nothing can "
                f"be registered for it ({exception_text(exc)}).",
                path=(f"resolve({type_name(tp)})",),
                requested=type_name(tp),
                hint="resolve a registered class (or NewType), e.g. resolve(Session).",
            ) from exc
        if plan is None:
            root = resolver_signature(tp)
            plan = self._new_plan(plans, key, root, sync, context_types, layer, strict=True)
        return plan

    def _new_plan(
        self,
        plans: dict[Any, Plan],
        key: tuple[Any, ...],
        root: Signature,
        sync: bool,
        context_types: frozenset[Any],
        layer: Layer | None,
        *,
        strict: bool = False,
    ) -> Plan:
        """Phases 2 and 3 for one plan (reusing the graph validate() just built, if any).

        Only a cache miss gets here, so the lock costs a warm container nothing; under it,
        threads that miss the same plan at once get the one the first of them compiled.
        """
        with self._lock:
            plan = plans.get(key)
            if plan is not None:
                return plan
            validated = self._validated.pop(key, None) if layer is None else None
            if validated is not None and validated[0] == self._generation:
                graph = validated[1]
            else:
                graph = self._solve(
                    root, sync=sync, context_types=context_types, layer=layer, strict=strict
                )
            if strict:  # a resolver
                refuse_function_finalizers(graph)
            plan = plans[key] = compile_plan(
                graph,
                app=self._app,
                adopt=functools.partial(RequestScope._adopt, self),
                scope_var=self._scope_var,
                sync=sync,
                concurrent=self.concurrent,
                baseline=None if strict else self._baseline(root, sync, context_types, layer),
            )
        return plan

    def _baseline(
        self, root: Signature, sync: bool, context_types: frozenset[Any], layer: Layer | None
    ) -> Graph | None:
        """The graph ``root`` has with no override active, if any override is: the names
        its call may pass stay accepted under overrides.  Built only when a plan is
        compiled under overrides; what it gets wrong (a broken provider that an override
        replaced) is of no matter, only its free parameters are read."""
        if not self._override_state.any(layer):
            return None
        builder = GraphBuilder(
            registry=self._registry,
            overrides={},
            read=self._signatures.reader(root),
            interned=self._interned,
            interning=self._lock,
        )
        graph, _ = builder.build(root, context_types=context_types, sync=sync)
        return graph

    def _layer_plans(self, layer: Layer) -> dict[Any, Plan]:
        if layer.generation != self._generation:
            layer.plans = {}
            layer.generation = self._generation
        return layer.plans

    # -- looking at graphs -----------------------------------------------------------------

    def graph(self, func: Callable[..., Any], *, context_types: Iterable[Any] = ()) -> GraphView:
        """The solved graph of ``func``: nodes, edges, ``to_mermaid()``, ``to_dot()``."""
        original = unwrap_injected(func)
        graph = self._solve(
            self._signatures.read(original),
            sync=False,
            context_types=frozenset(context_types),
            layer=self._local_overrides.get(),
        )
        return GraphView(graph)

    def plan_source(self, func: Callable[..., Any], *, sync: bool | None = None) -> str:
        """The Python source of the compiled plan for ``func`` (for debugging)."""
        original = unwrap_injected(func)
        if sync is None:
            sync = not call_kind(original).is_async
        return self._plan(original, sync, NO_CONTEXT).source

    def validate(
        self,
        *funcs: Callable[..., Any],
        context_types: Iterable[Any] = (),
        strict: bool = False,
        passed: Iterable[str] = (),
    ) -> None:
        """Check every registration and the given (or every injected) function.

        Raises one :class:`InjectionError` listing every problem found (its class is the
        most specific one they share); returns None when all is well.  Nothing is called.

        ``strict=True`` is for functions that no caller passes services to (a framework
        calls them): a parameter of the function itself annotated with a class that
        nothing provides (``mailer: Mailer``) is then an UnresolvableDependencyError, as
        it always is for a provider's parameter, instead of a value the call must pass.
        ``passed`` names parameters that the caller does pass (exempt from ``strict``).
        Plain values (``str``, ``int``...) stay free parameters either way.
        """
        contexts = frozenset(context_types)
        layer = self._local_overrides.get()
        generation = self._generation

        def keep(func: Callable[..., Any], sync: bool, graph: Graph) -> None:
            self._validated[func, sync, contexts] = (generation, graph)

        errors = find_problems(
            [unwrap_injected(f) for f in funcs] if funcs else list(self._injected),
            list(self._registry),
            read=self._signatures.read,
            builder=functools.partial(self._builder, layer),
            context_types=contexts,
            strict=strict,
            passed=frozenset(passed),
            keep=keep if layer is None else None,  # a first call outside overrides
        )
        if errors:
            raise combine(unique(errors))

    # -- the app scope ---------------------------------------------------------------------

    @property
    def thread_limit(self) -> int:
        """How many worker threads this container's sync work may use at once."""
        return self._threads.size

    async def aclose(self) -> None:
        """End the app scope: app-scoped finalizers run, newest first.

        First it waits up to ``shutdown_grace`` seconds for requests still running their
        background tasks or finalizers; what still runs then is cancelled and named in
        the log (see docs/reliability.md).
        """
        await wait_for_closing(self, self.shutdown_grace)
        await self._app.aclose(self.finalizer_timeout)

    def close(self) -> None:
        """The sync twin of :meth:`aclose` (app-scoped providers must be sync)."""
        self._app.close()

    async def __aenter__(self) -> Container:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __enter__(self) -> Container:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Container providers={len(self._registry)} overrides={len(self.overrides)}>"


default_container = Container()
"""The container that the module-level :func:`inject` uses."""


def inject(func: Callable[..., R]) -> Callable[..., R]:
    """Decorator: :meth:`Container.inject` on :data:`default_container`."""
    return default_container._inject(func, 2)
