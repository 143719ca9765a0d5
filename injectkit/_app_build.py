"""Building app-scoped values: a slow path, taken once per value (then it is cached).

A plan treats an app-scoped value as a leaf: it looks the value up, and only when it is
missing calls the builder made here, which builds it and every app-scoped value it needs
that is not built yet (each under the app's lock for that key, see ``AppState``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from ._app import AppState
from ._graph import Node
from ._introspect import CallKind
from ._plan_runtime import no_yield
from ._scope import Scope

__all__ = ["abuild_app", "build_app"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True


def _arguments(node: Node, values: dict[Node, Any]) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param, source in node.inputs:
        value = values[source.node] if source.node is not None else source.default
        if param.keyword_only:
            kwargs[param.name] = value
        else:
            args.append(value)
    return args, kwargs


def _pending(node: Node, values: dict[Node, Any], app: AppState) -> list[Node]:
    pending = []
    for dep in node.dependencies():
        if dep in values:
            continue
        if dep.scope is Scope.APP and dep.key in app.values:
            values[dep] = app.values[dep.key]
            continue
        pending.append(dep)
    return pending


def _in_build_order(target: Node, values: dict[Node, Any], app: AppState) -> Iterator[Node]:
    """The nodes ``target`` needs that are not built yet, each after what it needs; the
    caller puts each one's value in ``values`` before asking for the next."""
    stack = [target]
    while stack:  # explicit stack: an app chain may be thousands deep
        node = stack[-1]
        pending = _pending(node, values, app)
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if node not in values:
            yield node


async def abuild_app(target: Node, app: AppState) -> Any:
    values: dict[Node, Any] = {}
    for node in _in_build_order(target, values, app):
        if node.scope is Scope.APP:
            values[node] = await app.get_or_build(
                node.key, functools.partial(_amake, node, values, app)
            )
        else:
            values[node] = await _amake(node, values, app)
    return values[target]


async def _amake(node: Node, values: dict[Node, Any], app: AppState) -> Any:
    if node.signature is None:
        return node.value
    args, kwargs = _arguments(node, values)
    kind = node.signature.kind
    if kind is CallKind.SYNC:
        if node.offload:
            return await app.threads.run(functools.partial(node.call, *args, **kwargs))
        return node.call(*args, **kwargs)
    if kind is CallKind.ASYNC:
        return await node.call(*args, **kwargs)
    gen = node.call(*args, **kwargs)
    try:
        value = await gen.__anext__() if kind is CallKind.ASYNC_GENERATOR else next(gen)
    except (StopIteration, StopAsyncIteration):
        raise no_yield(node) from None
    app.push((gen, kind is CallKind.ASYNC_GENERATOR, node))
    return value


def build_app(target: Node, app: AppState) -> Any:
    values: dict[Node, Any] = {}
    for node in _in_build_order(target, values, app):
        if node.scope is Scope.APP:
            values[node] = app.get_or_build_sync(
                node.key, functools.partial(_make, node, values, app)
            )
        else:
            values[node] = _make(node, values, app)
    return values[target]


def _make(node: Node, values: dict[Node, Any], app: AppState) -> Any:
    if node.signature is None:
        return node.value
    args, kwargs = _arguments(node, values)
    if node.signature.kind is CallKind.SYNC:
        return node.call(*args, **kwargs)
    gen = node.call(*args, **kwargs)  # a generator: validation keeps async ones out
    try:
        value = next(gen)
    except StopIteration:
        raise no_yield(node) from None
    app.push((gen, False, node))
    return value
