"""Checks of a whole built graph: lifetimes, async providers under a sync call, and what
``resolve()`` cannot give.

Each returns (or raises) the problems as :class:`InjectionError` s naming the chain from
the root; the builder runs the first two on every graph it builds.
"""

from __future__ import annotations

from ._exceptions import InjectionError, ScopeError
from ._graph import Graph
from ._scope import Scope, lifetime

__all__ = ["check_lifetimes", "check_sync", "refuse_function_finalizers"]

_LIFETIME_NAMES = {lifetime(s): s.value for s in (Scope.FUNCTION, Scope.REQUEST, Scope.APP)}


def check_lifetimes(graph: Graph) -> list[InjectionError]:
    """Set each node's lifetime and name every node that outlives what it depends on."""
    errors: list[InjectionError] = []
    for node in graph.nodes:  # dependencies first, so their lifetime is known
        if node.scope is Scope.TRANSIENT:
            node.lifetime = min(
                (source.lifetime for _, source in node.inputs), default=lifetime(Scope.APP)
            )
        else:
            node.lifetime = lifetime(node.scope)
        if node is graph.root:
            continue
        for param, source in node.inputs:
            if source.lifetime >= node.lifetime:
                continue
            needed = (
                source.node.label if source.node is not None else f"parameter {param.describe()!r}"
            )
            # By how long it lives: a transient value lives as long as what it uses.
            needed_scope = _LIFETIME_NAMES[source.lifetime]
            if source.kind == "free":
                hint = "give the parameter a default, or make the provider request-scoped."
                reason = f"{needed}, a value from the call"
            else:
                hint = (
                    f"make {node.label} {needed_scope}-scoped (or shorter), or "
                    f"{needed} longer-lived."
                )
                reason = f"{needed} ({needed_scope})"
            errors.append(
                ScopeError(
                    f"{node.label} is {node.scope.value}-scoped but depends on {reason}, "
                    "which does not live as long.",
                    path=[*node.chain(), needed] if source.node else node.chain(),
                    requested=needed,
                    scope=node.scope.value,
                    hint=hint,
                    key=("scope", node.definition, needed),
                )
            )
    return errors


def check_sync(graph: Graph) -> list[InjectionError]:
    """Every async provider in a graph that is resolved synchronously."""
    errors: list[InjectionError] = []
    for node in graph.nodes:
        if node is graph.root or node.kind is None or not node.kind.is_async:
            continue
        errors.append(
            InjectionError(
                f"{node.label} is {node.kind.with_article} provider, but {graph.root.label} "
                "is resolved synchronously.",
                path=node.chain(),
                requested=node.label,
                hint=f"give {node.label} a sync provider (a def, or a sync generator); "
                "where the framework allows it, make the handler async instead (or use "
                "`await scope.call(...)` rather than call_sync).",
            )
        )
    return errors


def refuse_function_finalizers(graph: Graph) -> None:
    """resolve() has no injected call for a function-scoped value to live through: its
    finalizer would run before the value is returned."""
    for node in graph.nodes:
        if node.scope is Scope.FUNCTION and node.kind is not None and node.kind.has_finalizer:
            raise ScopeError(
                f"{graph.root.label} needs {node.label}, a function-scoped generator "
                "provider: its teardown would run before resolve() returns the value.",
                path=node.chain(),
                requested=node.label,
                scope=Scope.FUNCTION.value,
                hint=f"take it as a parameter of an injected function (it then lives "
                f"until that function returns), or make {node.label} request-scoped.",
            )
