"""Every read of the core's private state that the testing tools need, in one place.

The core has no public way (yet) to list a container's registrations and injected
functions, to see which callable each graph node runs and what an override of it would
target, or to solve a graph that has errors in it.  Each function below is the single
spot that reaches for those internals, so that when the core grows the public hooks
(described in docs/testing.md's notes for maintainers) only this module changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .._container import Container
from .._exceptions import InjectionError
from .._graph import Graph
from .._introspect import describe, unwrap_injected
from .._scope import Scope
from .._wording import safe_repr

__all__ = [
    "Target",
    "require_container",
    "effective_provider",
    "handler_of",
    "has_local_overrides",
    "injected_functions",
    "is_plain_value",
    "label_of",
    "reachable_types",
    "registered_types",
    "solved_graph",
    "targets_of",
]


@dataclass(frozen=True)
class Target:
    """Something an override can replace, and the callable that currently provides it."""

    key: Any  # a registered type, or the callable a ``Depends`` names
    provider: Any  # the effective provider (an override's replacement, if any)
    scope: Scope
    label: str
    is_value: bool  # the core uses ``provider`` as the value instead of calling it


def require_container(container: object, api: str) -> Container:
    """``container``, or an InjectionError saying ``api`` takes a Container first."""
    if not isinstance(container, Container):
        raise InjectionError(
            f"{api}() takes a Container first, got {safe_repr(container)}.",
            hint=f"pass the container your handlers are injected with: {api}(container, ...).",
        )
    return container


def registered_types(container: Container) -> list[Any]:
    """The types registered in ``container``, in registration order."""
    return list(container._registry)


def injected_functions(container: Container) -> list[Callable[..., Any]]:
    """The functions decorated with ``container.inject`` (the originals)."""
    return list(container._injected)


def has_local_overrides(container: Container) -> bool:
    """Whether ``override(..., local=True)`` is in effect in the current context."""
    return container._local_overrides.get() is not None


def _effective_overrides(container: Container) -> dict[Any, Any]:
    return container._override_state.effective(container._local_overrides.get())


def effective_provider(container: Container, tp: Any) -> tuple[Any, Scope] | None:
    """What provides the registered type ``tp`` right now (overrides applied), or None."""
    registration = container._registry.get(tp)
    if registration is None:
        return None
    overrides = _effective_overrides(container)
    try:
        provider = overrides.get(tp, registration.provider)
    except TypeError:
        provider = registration.provider
    return provider, registration.scope


def is_plain_value(provider: Any, provides: Any) -> bool:
    """Whether the core uses ``provider`` as a value rather than calling it."""
    return not callable(provider) or (
        isinstance(provides, type)
        and isinstance(provider, provides)
        and not isinstance(provider, type)
    )


def handler_of(func: Any) -> Any:
    """The user's function behind an injected wrapper or an adapter's endpoint wrapper."""
    mark = getattr(func, "__injectkit_endpoint__", None)  # set by the adapters' inject
    handler = getattr(mark, "handler", None)
    return unwrap_injected(handler if callable(handler) else func)


def solved_graph(
    container: Container,
    func: Callable[..., Any],
    *,
    context_types: Iterable[Any] = (),
    partial: bool = False,
) -> Graph:
    """The core's graph of ``func``; with ``partial=True`` also when the graph has errors."""
    original = handler_of(func)
    if not partial:
        return container.graph(original, context_types=context_types)._graph
    builder = container._builder(container._local_overrides.get())
    graph, _ = builder.build(
        container._signatures.read(original), context_types=frozenset(context_types), sync=False
    )
    return graph


def targets_of(graph: Graph) -> list[Target]:
    """Every provider node of ``graph`` as an override target, dependencies first."""
    found: list[Target] = []
    for node in graph.nodes:
        if node is graph.root:
            continue
        definition = node.definition
        if not (isinstance(definition, tuple) and definition[0] in ("type", "call")):
            continue
        key = definition[1].obj
        if node.signature is None:
            found.append(Target(key, node.value, node.scope, node.label, True))
        else:
            found.append(Target(key, node.call, node.scope, node.label, False))
    return found


def reachable_types(graph: Graph) -> set[Any]:
    """The registered types whose providers ``graph`` uses."""
    found: set[Any] = set()
    for node in graph.nodes:
        definition = node.definition
        if isinstance(definition, tuple) and definition[0] == "type":
            found.add(definition[1].obj)
    return found


def label_of(provider: Any) -> str:
    """The name the core shows for ``provider`` in graphs and errors."""
    return describe(unwrap_injected(provider))
