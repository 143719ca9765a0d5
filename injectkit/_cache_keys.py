"""Cache keys: one interned object per kind of value, so a plan finds a value by identity.

A node's key names what it is *and* what it was built from.  Equal graphs (the same
providers over the same inputs) get the same key object, so an app-scoped value is built
once however many plans use it; a value built from an overridden provider gets another
key than the original, so an override rebuilds it (and everything built on it) instead
of reusing it, and the original comes back when the override ends.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from ._graph import Graph, Identity

__all__ = ["CacheKey", "assign_keys"]


class CacheKey:
    """An interned cache key: equal graphs give the same key object, compared by identity."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"<key {self.label}>"


def assign_keys(
    graph: Graph,
    interned: dict[tuple[Any, ...], CacheKey],
    interning: AbstractContextManager[Any],
) -> None:
    """Give each node of ``graph`` (dependencies first) its key from ``interned``.

    ``interning`` is held while a missing key is added.
    """
    for node in graph.nodes:
        parts: list[Any] = [node.definition]
        parts.append(Identity(node.value) if node.signature is None else Identity(node.call))
        for _, source in node.inputs:
            if source.node is not None:
                parts.append(source.node.key)
            else:
                parts.append((source.kind, Identity(source.context_type), source.name))
        signature = tuple(parts)
        key = interned.get(signature)
        if key is None:
            # Threads building their first graphs at once must agree on each key, or
            # each gets its own and an app singleton is built once per key.
            with interning:
                key = interned.get(signature)
                if key is None:
                    key = interned[signature] = CacheKey(node.label)
        node.key = key
