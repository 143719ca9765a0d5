"""What a graph's plan does, decided before any source is written.

:func:`shape_plan` reads the solved graph once and answers every question the writer
(``_plan_writer``) asks: which nodes a call builds, where each leaf value comes from,
which request-scope objects the plan touches, whether it is a *prelude* plan, which
values it caches.  The writer only turns these answers into lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._binding import Binder, accepted_names, positional_names
from ._graph import Graph, Input, Node
from ._introspect import CallKind, Parameter
from ._scope import Scope

__all__ = ["PlanShape", "built_apart", "plan_nodes", "shape_plan"]


def built_apart(node: Node) -> bool:
    """An app-scoped value is a leaf of the plan: built on its own (see _app_build),
    with its dependencies, never by the plan's code.  (A plan's root, the injected
    function, is never one: the graph builder makes it function-scoped.)"""
    return node.scope is Scope.APP


def plan_nodes(graph: Graph) -> list[Node]:
    """The nodes one call builds (or looks up), dependencies first."""
    member: set[int] = {id(graph.root)}
    for node in reversed(graph.nodes):  # consumers before their dependencies
        if id(node) not in member or built_apart(node):
            continue
        for dep in node.dependencies():
            member.add(id(dep))
    return [node for node in graph.nodes if id(node) in member]


@dataclass(frozen=True)
class PlanShape:
    """The decisions one plan's source is written from (see :func:`shape_plan`)."""

    graph: Graph
    nodes: list[Node]  # what the call builds, dependencies first
    sync: bool
    concurrent: bool  # Container(concurrent=True): independent async providers at once
    # Consumers of each node (by id) that the plan builds: a join needs a value only for them.
    consumers: dict[int, list[Node]]
    # The call's own values: free parameters (``f0``...), context values (``t0``...) and
    # BackgroundTasks (``bt``), by (node index, input position).
    leaf: dict[tuple[int, int], str]
    free: list[tuple[Node, Parameter, Input]]
    context_names: dict[Any, str]  # context type -> its local's name
    uses_tasks: bool
    binder: Binder
    # A handler with *args or **kwargs: it gets what no free parameter takes.
    open_call: bool
    needs_async_scope: bool  # async generators closed with the request
    request_finalizers: bool  # generators closed with the request
    function_stack: bool  # generators closed when this call returns
    cached: set[int]  # ids of the request-scoped values kept in the request's cache
    app_nodes: list[Node]  # app-scoped values built by their own builder
    streams: bool  # a generator handler: the caller drives it (see _generators)
    prelude: bool

    @property
    def root(self) -> Node:
        return self.graph.root

    @property
    def uses_scope(self) -> bool:
        """Whether the plan needs the request's scope object (a bare request gets one)."""
        return bool(
            self.context_names
            or self.uses_tasks
            or self.needs_async_scope
            or self.request_finalizers
        )

    @property
    def handed_on(self) -> str:
        """The arguments ``run`` hands to ``join`` or ``arun``: a plain plan's ``kw`` is
        bound and checked by then; an open call's args and kw stay as given."""
        return "args, kw" if self.open_call else "(), kw"

    @property
    def functions(self) -> list[str]:
        """The plan's functions: ``arun`` is a prelude plan's async twin."""
        return ["run", "fresh", "join", *(["arun"] if self.prelude else [])]


def shape_plan(graph: Graph, *, sync: bool, concurrent: bool, baseline: Graph | None) -> PlanShape:
    root = graph.root
    nodes = plan_nodes(graph)
    inside = [n for n in nodes if n is not root and not built_apart(n)]
    function_stack = any(
        n.scope is Scope.FUNCTION and n.kind is not None and n.kind.has_finalizer
        for n in nodes
        if n is not root
    )
    leaf, free, context_names, uses_tasks = _leaves(nodes)
    return PlanShape(
        graph=graph,
        nodes=nodes,
        sync=sync,
        concurrent=concurrent,
        consumers=_consumers(nodes),
        leaf=leaf,
        free=free,
        context_names=context_names,
        uses_tasks=uses_tasks,
        binder=_binder(graph, free, baseline),
        open_call=root.signature is not None
        and (root.signature.var_positional or root.signature.var_keyword),
        needs_async_scope=not sync
        and any(
            n.kind is CallKind.ASYNC_GENERATOR and n.scope is not Scope.FUNCTION for n in inside
        ),
        request_finalizers=any(
            n.kind is not None and n.kind.has_finalizer and n.scope is not Scope.FUNCTION
            for n in inside
        ),
        function_stack=function_stack,
        cached={id(n) for n in inside if n.scope is Scope.REQUEST and n.cached and n.signature},
        app_nodes=[n for n in nodes if built_apart(n) and n.signature],
        streams=root.kind is not None and root.kind.has_finalizer,
        prelude=_is_prelude(root, inside, function_stack=function_stack),
    )


def _consumers(nodes: list[Node]) -> dict[int, list[Node]]:
    consumers: dict[int, list[Node]] = {id(n): [] for n in nodes}
    for node in nodes:
        if built_apart(node):
            continue  # its dependencies are built with it, not by this plan
        for dep in node.dependencies():
            consumers[id(dep)].append(node)
    return consumers


def _leaves(
    nodes: list[Node],
) -> tuple[dict[tuple[int, int], str], list[tuple[Node, Parameter, Input]], dict[Any, str], bool]:
    """Names for the values a call supplies: free parameters, context values, tasks."""
    leaf: dict[tuple[int, int], str] = {}
    free: list[tuple[Node, Parameter, Input]] = []
    context_names: dict[Any, str] = {}
    uses_tasks = False
    for node in nodes:
        if built_apart(node):
            continue
        for position, (param, source) in enumerate(node.inputs):
            if source.kind == "free":
                leaf[node.index, position] = f"f{len(free)}"
                free.append((node, param, source))
            elif source.kind == "context":
                name = context_names.get(source.context_type)
                if name is None:
                    name = context_names[source.context_type] = f"t{len(context_names)}"
                leaf[node.index, position] = name
            elif source.kind == "tasks":
                uses_tasks = True
                leaf[node.index, position] = "bt"
    return leaf, free, context_names, uses_tasks


def _binder(
    graph: Graph, free: list[tuple[Node, Parameter, Input]], baseline: Graph | None
) -> Binder:
    accepted = frozenset(source.name for _, _, source in free)
    positional = positional_names(graph)
    if baseline is not None:  # an override never changes what a call may pass
        accepted |= accepted_names(baseline, plan_nodes(baseline))
        positional = positional_names(baseline)
    return Binder(graph, accepted, positional)


def _is_prelude(root: Node, inside: list[Node], *, function_stack: bool) -> bool:
    """A *prelude* plan is a plain function that builds every value synchronously and
    returns the handler's coroutine for the caller to await: one coroutine fewer per call.
    It needs an async handler, sync providers only, and every app-scoped value already
    built (otherwise it hands over to the full async plan, ``arun``).  A sync plan is
    never one: its root is never async (``check_root`` refuses that before)."""
    return (
        root.kind is CallKind.ASYNC
        and not function_stack
        and all(
            n.kind in (None, CallKind.SYNC, CallKind.GENERATOR) and not n.offload for n in inside
        )
    )
