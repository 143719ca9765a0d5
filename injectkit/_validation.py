"""``Container.validate``: every problem of the given (or every injected) function's graph
and of every registration, found up front and reported together.

Nothing is called.  Each function's graph is built once; the registrations its graph
did not reach are checked together, in one graph whose root takes them all, so each
provider is checked once however many registrations share it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from ._exceptions import InjectionError
from ._graph import Graph
from ._graph_builder import GraphBuilder
from ._introspect import MISSING, CallKind, Parameter, Signature

__all__ = ["find_problems", "unique"]


def find_problems(
    funcs: Iterable[Callable[..., Any]],
    registered: Iterable[Any],
    *,
    read: Callable[[Callable[..., Any]], Signature],
    builder: Callable[[Signature | None], GraphBuilder],
    context_types: frozenset[Any],
    strict: bool,
    passed: frozenset[str],
    keep: Callable[[Callable[..., Any], bool, Graph], None] | None,
) -> list[InjectionError]:
    """Every problem of ``funcs``' graphs and of the ``registered`` types they miss.

    ``builder(root)`` makes a builder against the container's state; ``keep(func, sync,
    graph)``, if given, is handed each graph found sound (a first call can use it).
    """
    errors: list[InjectionError] = []
    covered: set[Any] = set()  # registered types checked as part of a function's graph
    for func in funcs:
        try:
            root = read(func)
            sync = not root.kind.is_async  # as it is called: nothing for check_root to refuse
            graph, found = builder(root).build(
                root,
                context_types=context_types,
                sync=sync,
                strict_root=strict,
                passed=passed,
            )
            errors.extend(found)
            if not found:
                covered.update(node.provides for node in graph.nodes)
                if keep is not None:
                    keep(func, sync, graph)
        except InjectionError as exc:
            errors.extend(exc.errors)
    remaining = [tp for tp in registered if tp not in covered]
    if remaining:
        everything = Signature(
            call=_every_registration,
            name="",
            kind=CallKind.SYNC,
            parameters=tuple(
                Parameter(f"p{i}", tp, None, MISSING, False) for i, tp in enumerate(remaining)
            ),
            returns=MISSING,
        )
        # build() returns what it finds (it raises nothing): no function to read here.
        _, found = builder(None).build(
            everything, context_types=context_types, sync=False, strict_free=True
        )
        errors.extend(found)
    return errors


def unique(errors: list[InjectionError]) -> list[InjectionError]:
    """The first of each problem (by its key) that several chains reached."""
    seen: dict[Hashable, InjectionError] = {}
    for error in errors:
        seen.setdefault(error.key, error)
    return list(seen.values())


def _every_registration(*values: Any) -> None:
    """The call of the synthetic root that takes every remaining registered type (never
    called: validation builds graphs only)."""
