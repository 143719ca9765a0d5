"""The dependency graph of one injected function: what phase 2 builds and phase 3 compiles.

Plain value types shared by the builder (``_graph_builder``), its checks and errors, the
compiler and the renderers: a :class:`Registration`, the :class:`Node` of each provider,
the :class:`Input` that fills each parameter, and the :class:`Graph` itself.  No logic
beyond reading them.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ._introspect import MISSING, CallKind, Parameter, Signature
from ._scope import Scope, lifetime

__all__ = [
    "Graph",
    "Identity",
    "Input",
    "Node",
    "Registration",
    "looks_like_a_service",
]


@dataclass(eq=False)
class Registration:
    provider: Callable[..., Any]
    scope: Scope
    offload: bool = False


# --- what fills one parameter -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Input:
    """Where one parameter's value comes from.

    ``kind`` is ``"node"`` (another provider), ``"context"`` (a type the request scope
    was opened with), ``"tasks"`` (the request's BackgroundTasks) or ``"free"`` (taken by
    name from the outermost call, else ``default``).
    """

    kind: str
    node: Node | None = None
    context_type: Any = None
    name: str = ""
    default: Any = MISSING

    @classmethod
    def of(cls, node: Node) -> Input:
        """The value of another provider, ``node``."""
        return cls("node", node=node)

    @property
    def lifetime(self) -> int:
        if self.node is not None:
            return self.node.lifetime
        if self.kind == "free" and self.default is not MISSING:
            return lifetime(Scope.APP)  # an app-scoped value simply takes the default
        return lifetime(Scope.REQUEST)


@dataclass(eq=False)
class Node:
    """One provider in the graph (or the injected function itself, the root)."""

    signature: Signature | None  # None for an override given as a plain value
    scope: Scope
    cached: bool
    definition: Hashable  # what identifies this dependency, for caching and cycles
    label: str
    value: Any = MISSING  # an override's plain value
    offload: bool = False
    overridden: str | None = None  # the name of what this node replaced
    parent: Node | None = None  # first consumer, for error chains
    inputs: list[tuple[Parameter, Input]] = field(default_factory=list)
    lifetime: int = 0
    key: object = None  # the interned cache key, set after building
    index: int = -1
    provides: Any = None  # the registered type this node provides, if any

    @property
    def kind(self) -> CallKind | None:
        return None if self.signature is None else self.signature.kind

    @property
    def call(self) -> Callable[..., Any]:
        assert self.signature is not None
        return self.signature.call

    def chain(self) -> list[str]:
        names: list[str] = []
        node: Node | None = self
        while node is not None:
            if node.label:  # the synthetic root that validates registrations has none
                names.append(node.label)
            node = node.parent
        return names[::-1]

    def dependencies(self) -> Iterator[Node]:
        for _, source in self.inputs:
            if source.node is not None:
                yield source.node


@dataclass(eq=False)
class Graph:
    root: Node
    nodes: list[Node]  # dependencies before their consumers; the root last

    def free_inputs(self) -> list[tuple[Node, Parameter, Input]]:
        return [
            (node, param, source)
            for node in self.nodes
            for param, source in node.inputs
            if source.kind == "free"
        ]


class Identity:
    """A hashable stand-in for any object, equal only to itself (bound methods: by parts)."""

    __slots__ = ("_hash", "obj")

    def __init__(self, obj: object) -> None:
        self.obj = obj
        if inspect.ismethod(obj):
            self._hash = hash((id(obj.__self__), id(obj.__func__)))
        else:
            self._hash = id(obj)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        a, b = self.obj, other.obj
        if inspect.ismethod(a) and inspect.ismethod(b):
            return a.__self__ is b.__self__ and a.__func__ is b.__func__
        return a is b


_PLAIN_VALUE_MODULES = frozenset({"builtins", "datetime", "decimal", "uuid", "pathlib", "enum"})


def looks_like_a_service(annotation: Any) -> bool:
    """Whether a parameter's class is a service (``Session``), not a plain value.

    A sub-dependency's parameter of such a class is a missing provider, since no call
    passes one; plain values (``str``, ``int``, an ``Enum``, ``datetime``...) are what a
    call (or an adapter, from a query string) passes.
    """
    return (
        annotation is not MISSING
        and isinstance(annotation, type)
        and annotation.__module__ not in _PLAIN_VALUE_MODULES
        and not issubclass(annotation, (str, int, float, bytes, enum.Enum))
    )
