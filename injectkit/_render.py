"""A read-only view of a solved graph, and its text, Mermaid and DOT renderings."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._graph import Graph
from ._introspect import MISSING, type_name

__all__ = ["FreeParameter", "GraphEdge", "GraphNode", "GraphView", "caption", "render_mermaid"]

_LEAF_KINDS = ("free", "context", "tasks")
# Fill and stroke per scope: one colour each, readable on light and dark backgrounds.
_SCOPE_COLOURS = {
    "app": ("#dbeafe", "#1d4ed8"),
    "request": ("#dcfce7", "#15803d"),
    "function": ("#fef9c3", "#a16207"),
    "transient": ("#f3e8ff", "#7e22ce"),
}


@dataclass(frozen=True)
class GraphNode:
    """One node: a provider, the injected function (``kind="root"``) or a leaf value."""

    id: str
    label: str
    kind: str  # root, sync, async, generator, async generator, value, context, tasks, free
    scope: str | None
    cached: bool
    finalizer: bool
    overridden: str | None = None
    provides: str | None = None  # the registered type's name, for a registered provider


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the caller fills by name (an adapter: from the path or the query)."""

    name: str
    annotation: Any  # MISSING-free: ``inspect.Parameter.empty`` when unannotated
    default: Any  # ``inspect.Parameter.empty`` when required
    owner: str  # the provider or handler that declares it (that marks it NotFromRequest)
    # ``NotFromRequest[...]`` on it (on any of them, where several take the name)
    not_from_request: bool = False

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty


@dataclass(frozen=True)
class GraphEdge:
    """``source`` (a consumer) takes parameter ``parameter`` from ``target``."""

    source: str
    target: str
    parameter: str


class GraphView:
    """What a function pulls in: ``nodes`` and ``edges`` (consumer → dependency).

    ``free_sources``: where free parameters come from, by name, when not from the call
    (a web adapter's route: ``{"q": "the request"}``; see :meth:`with_free_sources`).
    """

    def __init__(self, graph: Graph, free_sources: Mapping[str, str] | None = None) -> None:
        self._graph = graph
        self._free_sources = dict(free_sources or {})
        nodes: list[GraphNode] = []
        edges: list[GraphEdge] = []
        ids: dict[int, str] = {}
        leaves: dict[tuple[str, str], str] = {}
        for node in reversed(graph.nodes):  # the root first
            ids[id(node)] = f"n{len(ids)}"
        for node in reversed(graph.nodes):
            kind = "root" if node is graph.root else (node.kind.value if node.kind else "value")
            nodes.append(
                GraphNode(
                    id=ids[id(node)],
                    label=node.label,
                    kind=kind,
                    scope=None if node is graph.root else node.scope.value,
                    cached=node.cached,
                    finalizer=bool(node.kind and node.kind.has_finalizer),
                    overridden=node.overridden,
                    provides=None if node.provides is None else type_name(node.provides),
                )
            )
            for param, source in node.inputs:
                if source.node is not None:
                    target = ids[id(source.node)]
                else:
                    if source.kind == "context":
                        leaf = ("context", type_name(source.context_type))
                    elif source.kind == "tasks":
                        leaf = ("tasks", "BackgroundTasks")
                    else:
                        leaf = ("free", source.name)
                    if leaf not in leaves:  # one leaf node per value, however many read it
                        leaves[leaf] = f"l{len(leaves)}"
                        label = leaf[1] if leaf[0] != "free" else self._free_label(leaf[1])
                        scope = None if leaf[0] == "free" else "request"
                        nodes.append(GraphNode(leaves[leaf], label, leaf[0], scope, True, False))
                    target = leaves[leaf]
                edges.append(GraphEdge(ids[id(node)], target, param.name))
        self.nodes: tuple[GraphNode, ...] = tuple(nodes)
        self.edges: tuple[GraphEdge, ...] = tuple(edges)

    def _free_label(self, name: str) -> str:
        return f"{name} ({self._free_sources.get(name, 'from the call')})"

    def with_free_sources(self, sources: Mapping[str, str]) -> GraphView:
        """This graph with its free parameters labelled by ``sources`` (name -> where
        from, e.g. ``"from the request"``) instead of "from the call"."""
        return GraphView(self._graph, free_sources=sources)

    @property
    def free_parameters(self) -> tuple[FreeParameter, ...]:
        """Parameters taken by name from the outermost call, one per name.

        Where several providers take the same name, the first (the handler's own, if it
        has one) gives the annotation; the name is required if any of them has no default.
        """
        found: dict[str, FreeParameter] = {}
        for node in reversed(self._graph.nodes):
            for param, source in node.inputs:
                if source.kind != "free":
                    continue
                default = inspect.Parameter.empty if source.default is MISSING else source.default
                annotation = (
                    inspect.Parameter.empty if param.annotation is MISSING else param.annotation
                )
                known = found.get(param.name)
                if known is None:
                    found[param.name] = FreeParameter(
                        param.name, annotation, default, node.label, param.not_from_request
                    )
                    continue
                if not known.required and default is inspect.Parameter.empty:
                    known = dataclasses.replace(known, default=default)
                if param.not_from_request and not known.not_from_request:
                    known = dataclasses.replace(known, not_from_request=True, owner=node.label)
                found[param.name] = known
        return tuple(found.values())

    @property
    def root(self) -> GraphNode:
        return self.nodes[0]

    def node(self, label: str) -> GraphNode:
        """The first node with this label (a KeyError names the labels there are)."""
        for node in self.nodes:
            if node.label == label:
                return node
        raise KeyError(f"{label!r}; nodes: {', '.join(n.label for n in self.nodes)}")

    def dependencies(self, label: str) -> list[GraphNode]:
        """The nodes ``label`` takes parameters from."""
        by_id = {n.id: n for n in self.nodes}
        source = self.node(label).id
        return [by_id[e.target] for e in self.edges if e.source == source]

    def finalizers(self) -> list[GraphNode]:
        """Providers whose teardown runs when their scope closes."""
        return [n for n in self.nodes if n.finalizer]

    def to_text(self) -> str:
        """One line per node, with what it takes from where."""
        by_id = {n.id: n for n in self.nodes}
        lines = []
        for node in self.nodes:
            lines.append(caption(node))
            for edge in self.edges:
                if edge.source == node.id:
                    lines.append(f"    {edge.parameter} <- {by_id[edge.target].label}")
        return "\n".join(lines)

    def to_mermaid(self) -> str:
        """A Mermaid flowchart (``graph TD``), consumer above dependency.

        A registered provider's box names the type it provides, then the provider; each
        scope has its colour (``classDef scope_request``...).
        """
        return render_mermaid([self])

    def to_dot(self) -> str:
        """A Graphviz digraph, consumer → dependency."""
        lines = ["digraph injectkit {", "    rankdir=TB;"]
        for node in self.nodes:
            text = caption(node).replace("\\", "\\\\").replace('"', '\\"')
            shape = "ellipse" if node.kind in _LEAF_KINDS else "box"
            lines.append(f'    {node.id} [label="{text}", shape={shape}];')
        for edge in self.edges:
            lines.append(f'    {edge.source} -> {edge.target} [label="{edge.parameter}"];')
        lines.append("}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GraphView {self.root.label}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def caption(node: GraphNode) -> str:
    """``label [scope, yield, overrides X]``: a node as the text renderings show it."""
    parts = [node.label]
    if node.scope and node.kind not in ("context", "tasks"):
        parts.append(node.scope + ("" if node.cached else ", not cached"))
    if node.finalizer:
        parts.append("yield")
    if node.overridden:
        parts.append(f"overrides {node.overridden}")
    return parts[0] + (f" [{', '.join(parts[1:])}]" if len(parts) > 1 else "")


def render_mermaid(views: Sequence[GraphView], titles: Sequence[str] = ()) -> str:
    """One Mermaid flowchart of ``views``; with ``titles``, a subgraph per view (node ids
    prefixed to stay apart).  Providers are coloured by scope."""
    lines = ["graph TD"]
    by_scope: dict[str, list[str]] = {}
    for index, view in enumerate(views):
        prefix, indent = (f"g{index}_", "        ") if titles else ("", "    ")
        if titles:
            lines.append(f'    subgraph g{index}["{_mermaid_text(titles[index])}"]')
        for node in view.nodes:
            text = _mermaid_text(caption(node))
            if node.provides is not None and node.provides != node.label:
                text = f"{_mermaid_text(node.provides)}<br/>from {text}"
            shape = ('(["', '"])') if node.kind in _LEAF_KINDS else ('["', '"]')
            lines.append(f"{indent}{prefix}{node.id}{shape[0]}{text}{shape[1]}")
            if node.scope in _SCOPE_COLOURS and node.kind not in _LEAF_KINDS:
                by_scope.setdefault(node.scope, []).append(prefix + node.id)
        for edge in view.edges:
            lines.append(
                f"{indent}{prefix}{edge.source} -->|{edge.parameter}| {prefix}{edge.target}"
            )
        if titles:
            lines.append("    end")
    for scope, ids in by_scope.items():
        fill, stroke = _SCOPE_COLOURS[scope]
        lines.append(f"    classDef scope_{scope} fill:{fill},stroke:{stroke}")
        lines.append(f"    class {','.join(ids)} scope_{scope}")
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    """``text`` inside a quoted Mermaid label: Mermaid renders labels as HTML, so a name
    like ``<lambda>`` would be read as a tag and vanish; its entity codes keep it."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
