"""Phase 3 — compile a solved graph into a plan: generated functions, one set per graph.

The generated function does, per call, only what hand-written wiring would: call each
provider with positional arguments held in locals, plus the bookkeeping the semantics
need (request cache, finalizer stack, BackgroundTasks).  Its source is built from node
*positions* only (``v3 = c3(v1, v2)``): callables, keys and free parameters' names reach it
as constants in its namespace.  The only user text compiled is a keyword-only parameter's
name (``c3(v1, name=v2)``), checked when its signature was read to be one that a keyword
argument can spell.  ``Plan.source`` shows it.

Two bodies are generated: *fresh*, for a request scope that has no cached values yet (the
common case: a scope opened for this call, or by an adapter), which skips every cache
lookup; and *join*, for a scope already in use, which looks up request-scoped values and
builds only what is missing (and only what a missing value needs).

:func:`compile_plan` works in three steps, each in its own module: decide what the plan
does (``_plan_shape``), write its functions' source from those decisions
(``_plan_writer``), and hold them in a :class:`Plan` that compiles each one on its first
call (``_plan``).  What the generated code calls besides providers is in
``_plan_runtime``; building app-scoped values, in ``_app_build``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._app import AppState
from ._exceptions import InjectionError
from ._generators import ScopeVar, joined_stream
from ._graph import Graph
from ._introspect import MISSING, CallKind
from ._plan import Plan
from ._plan_shape import PlanShape, shape_plan
from ._plan_writer import PlanWriter
from ._request import BARE_SYNC, META, RequestScope, RequestState

__all__ = ["Plan", "check_root", "compile_plan"]


def check_root(graph: Graph, *, sync: bool) -> None:
    """What the graph builder cannot see: how the injected function itself is called."""
    root = graph.root
    if root.kind is CallKind.ASYNC and sync:
        raise InjectionError(
            f"{root.label} is async, so it cannot be called synchronously.",
            path=(root.label,),
            hint="await it (or use `await scope.call(...)` instead of call_sync).",
        )
    if root.kind is CallKind.ASYNC_GENERATOR and sync:
        raise InjectionError(
            f"{root.label} is an async generator function, so it cannot be iterated synchronously.",
            path=(root.label,),
            hint="iterate it with `async for` (or use `await scope.call(...)` instead of "
            "call_sync).",
        )


def compile_plan(
    graph: Graph,
    *,
    app: AppState,
    adopt: Callable[[RequestState], RequestScope],
    scope_var: ScopeVar,
    sync: bool,
    concurrent: bool = False,
    baseline: Graph | None = None,
) -> Plan:
    """Compile ``graph``: decide what its plan does, then write each function's source
    when it is first called.  ``adopt`` gives a bare request its scope object and
    ``scope_var`` holds the current request (the container's), so this module never
    needs the container.  ``baseline`` is the same function's graph without overrides,
    whose free parameters a call under overrides may still pass (they are ignored)."""
    check_root(graph, sync=sync)
    shape = shape_plan(graph, sync=sync, concurrent=concurrent, baseline=baseline)
    writer = PlanWriter(shape, app=app, adopt=adopt)
    sources: dict[str, Callable[[], str]] = {
        name: functools.partial(writer.source, name) for name in shape.functions
    }
    plan = Plan(graph.root.label, _template(shape), sources, writer.ns, streams=shape.streams)
    if shape.streams:  # scope.call(gen_func) gives the injected generator, joined to the scope
        plan.run = joined_stream(
            graph.root.call,
            functools.partial(plan.compiled, "stream"),
            not sync,
            scope_var,
            adopt,
        )
    return plan


def _template(shape: PlanShape) -> dict[object, Any]:
    """The state an injected call opens its own request with: every value this plan
    caches already has its slot, so storing one never grows the dict."""
    template: dict[object, Any] = {META: BARE_SYNC if shape.sync else None}
    template.update((node.key, MISSING) for node in shape.nodes if id(node) in shape.cached)
    return template
