"""``explain`` and ``unused_providers``: what a handler pulls in, and what nothing uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .._container import Container
from .._introspect import type_name
from .._render import FreeParameter, GraphNode, GraphView
from ..integrations._endpoint import endpoint_of
from ..integrations._request_parameters import RequestParameters, sort_request_parameters
from . import _core_access as core

__all__ = ["Explanation", "ProviderInfo", "explain", "unused_providers"]

_LEAVES = ("free", "context", "tasks")


@dataclass(frozen=True)
class ProviderInfo:
    """One provider a handler pulls in."""

    name: str
    scope: str  # "app", "request", "function" or "transient"
    kind: str  # "sync", "async", "generator", "async generator" or "value"
    cached: bool  # shared within its scope (False: a fresh call for each dependent)
    finalizer: bool  # a generator provider: code after its ``yield`` runs at scope end
    overridden: str | None  # what it replaces, when an override put it there
    needs: tuple[str, ...]  # the providers and leaves it takes parameters from
    needed_by: tuple[str, ...]  # the providers (and the handler) that take it


@dataclass(frozen=True)
class Explanation:
    """What calling ``handler`` involves, read from its solved graph.

    ``providers`` are in the order a fresh request builds them (dependencies first).
    ``finalizers`` maps each scope to the teardowns that scope's end runs, in the order
    they run (newest first): ``"function"`` right after the call, ``"request"`` when the
    request scope closes, ``"app"`` when the container closes.
    """

    handler: str
    providers: tuple[ProviderInfo, ...]
    free_parameters: tuple[FreeParameter, ...]
    context: tuple[str, ...]  # types taken from the request scope's context
    uses_background_tasks: bool
    # For a web adapter's route or dependency: which free parameters a client sets.
    request: RequestParameters | None = None

    def by_scope(self) -> dict[str, tuple[str, ...]]:
        """Provider names grouped by scope, longest-lived first."""
        grouped: dict[str, tuple[str, ...]] = {}
        for scope in ("app", "request", "function", "transient"):
            names = tuple(p.name for p in self.providers if p.scope == scope)
            if names:
                grouped[scope] = names
        return grouped

    @property
    def finalizers(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for scope in ("function", "request", "app"):
            names = tuple(
                p.name for p in reversed(self.providers) if p.finalizer and _ends_with(p, scope)
            )
            if names:
                found[scope] = names
        return found

    def __str__(self) -> str:
        lines = [f"{self.handler} pulls in {len(self.providers)} provider(s):"]
        width = max((len(p.scope) for p in self.providers), default=0)
        for p in self.providers:
            notes = [n for n in (_kind_note(p), _override_note(p)) if n]
            needs = f" <- {', '.join(p.needs)}" if p.needs else ""
            extra = f" ({'; '.join(notes)})" if notes else ""
            lines.append(f"  {p.scope.ljust(width)}  {p.name}{extra}{needs}")
        if self.request is not None:
            lines.extend(_request_lines(self.request))
        elif self.free_parameters:
            lines.append("from the call: " + _show_all(self.free_parameters))
        leaves = list(self.context) + (["BackgroundTasks"] if self.uses_background_tasks else [])
        if leaves:
            lines.append("from the request scope: " + ", ".join(leaves))
        when = {
            "function": "after the call",
            "request": "when the request closes",
            "app": "when the container closes",
        }
        for scope, names in self.finalizers.items():
            lines.append(f"finalizers {when[scope]}: {', '.join(names)}")
        return "\n".join(lines)


def _ends_with(provider: ProviderInfo, scope: str) -> bool:
    # A transient generator's teardown is pushed on the request's finalizers.
    return provider.scope == scope or (provider.scope == "transient" and scope == "request")


def _kind_note(provider: ProviderInfo) -> str:
    parts = []
    if provider.finalizer:
        parts.append("yield")
    elif provider.kind in ("async", "value"):
        parts.append(provider.kind)
    if not provider.cached and provider.scope != "transient":
        parts.append("not cached")
    return ", ".join(parts)


def _override_note(provider: ProviderInfo) -> str:
    return f"overrides {provider.overridden}" if provider.overridden else ""


def _show_free(free: FreeParameter) -> str:
    return free.name if free.required else f"{free.name}={free.default!r}"


def _show_all(parameters: Iterable[FreeParameter]) -> str:
    return ", ".join(_show_free(f) for f in parameters)


def _request_lines(request: RequestParameters) -> list[str]:
    """Who fills the free parameters of an adapter's route: a client sets the first."""
    lines = []
    if request.from_request:
        lines.append("from the request (path or query): " + _show_all(request.from_request))
    if request.from_framework:
        lines.append("from the framework: " + _show_all(request.from_framework))
    if request.server_side:
        lines.append("never from the request: " + _show_all(request.server_side))
    return lines


def explain(
    container: Container, handler: Callable[..., Any], *, context_types: Iterable[Any] = ()
) -> Explanation:
    """What ``handler`` pulls in, at which scope, and which finalizers its calls run.

    Raises the graph's :class:`~injectkit.InjectionError` if it cannot be solved.  Pass the
    types an adapter puts in the request context (``context_types=[Request]``) to explain
    a handler that takes them.
    """
    core.require_container(container, "explain")
    view = container.graph(core.handler_of(handler), context_types=context_types)
    mark = endpoint_of(handler)
    if mark is None:
        return explain_view(view)
    return explain_view(view, sort_request_parameters(view.free_parameters, mark.provided))


def explain_view(view: GraphView, request: RequestParameters | None = None) -> Explanation:
    """:func:`explain` for a graph already solved; ``request`` for an adapter's route."""
    by_id = {n.id: n for n in view.nodes}
    providers: list[ProviderInfo] = []
    for node in reversed(view.nodes):  # the view lists consumers first
        if node is view.root or node.kind in _LEAVES:
            continue
        providers.append(
            ProviderInfo(
                name=node.label,
                scope=node.scope or "request",
                kind=node.kind,
                cached=node.cached,
                finalizer=node.finalizer,
                overridden=node.overridden,
                needs=tuple(
                    by_id[e.target].label
                    for e in view.edges
                    if e.source == node.id and by_id[e.target].kind != "free"
                ),
                needed_by=tuple(
                    dict.fromkeys(by_id[e.source].label for e in view.edges if e.target == node.id)
                ),
            )
        )
    leaves: list[GraphNode] = [n for n in view.nodes if n.kind in ("context", "tasks")]
    return Explanation(
        handler=view.root.label,
        providers=tuple(providers),
        free_parameters=view.free_parameters,
        context=tuple(n.label for n in leaves if n.kind == "context"),
        uses_background_tasks=any(n.kind == "tasks" for n in leaves),
        request=request,
    )


def unused_providers(
    container: Container, *handlers: Callable[..., Any], context_types: Iterable[Any] = ()
) -> list[Any]:
    """The registered types that no graph of ``handlers`` uses.

    ``handlers`` defaults to every function decorated with ``container.inject``.  A type
    your code only ever resolves directly (``scope.resolve(T)``) counts as unused: pass a
    function that takes it to include it.  Raises the graphs' errors if one cannot be
    solved, since an unsolved graph would hide what it uses.
    """
    core.require_container(container, "unused_providers")
    contexts = tuple(context_types)
    used: set[Any] = set()
    for handler in handlers or tuple(core.injected_functions(container)):
        graph = core.solved_graph(container, handler, context_types=contexts)
        used |= core.reachable_types(graph)
    return [tp for tp in core.registered_types(container) if tp not in used]


def describe_types(types: Iterable[Any]) -> str:
    """``A, B, C`` for a list of types, as errors and the CLI show them."""
    return ", ".join(type_name(tp) for tp in types)
