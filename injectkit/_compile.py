"""Phase 3 — compile a solved graph into a plan: one generated function per graph.

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
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ._app import AppState
from ._app_build import abuild_app, build_app
from ._background import BackgroundTasks
from ._binding import NO_EXTRA, Binder, accepted_names, positional_names
from ._exceptions import InjectionError
from ._finalize import close_all
from ._generators import joined_stream
from ._graph import Graph, Input, Node
from ._introspect import MISSING, CallKind, Parameter
from ._plan import ENTRIES, Deferred, Plan
from ._plan_runtime import gather, missing_free, no_yield, raise_error, sync_scope_error
from ._request import BARE_SYNC, META, RequestScope
from ._scope import Scope
from ._shield import aclose_shielded

if TYPE_CHECKING:
    from ._container import Container

__all__ = ["Plan", "check_root", "compile_plan"]


# --- code generation ----------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 1

    def line(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)


def _plan_nodes(graph: Graph) -> list[Node]:
    """The nodes one call builds: app-scoped values are leaves (built on their own)."""
    member: set[int] = {id(graph.root)}
    for node in reversed(graph.nodes):  # consumers before their dependencies
        if id(node) not in member or (node.scope is Scope.APP and node is not graph.root):
            continue
        for dep in node.dependencies():
            member.add(id(dep))
    return [node for node in graph.nodes if id(node) in member]


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
    container: Container,
    app: AppState,
    sync: bool,
    concurrent: bool = False,
    baseline: Graph | None = None,
) -> Plan:
    """Compile ``graph``; ``baseline`` is the same function's graph without overrides,
    whose free parameters a call under overrides may still pass (they are ignored)."""
    check_root(graph, sync=sync)
    root = graph.root
    nodes = _plan_nodes(graph)
    ns: dict[str, Any] = {
        "MISSING": MISSING,
        "BackgroundTasks": BackgroundTasks,
        "partial": functools.partial,
        "run_sync": app.threads.run,
        "app": app,
        "app_get": app.values.get,
        "app_remember": app.remember,
        # A function scope's finalizers get the request scope's shield (see _shield).
        "close_stack": close_all if sync else aclose_shielded,
        "gather": gather,
        "META": META,
        "BARE_SYNC": BARE_SYNC,
        "adopt": functools.partial(RequestScope._adopt, container),
    }
    consumers: dict[int, list[Node]] = {id(n): [] for n in nodes}
    for node in nodes:
        if node.scope is Scope.APP and node is not root:
            continue  # its dependencies are built with it, not by this plan
        for dep in node.dependencies():
            consumers[id(dep)].append(node)

    # Leaves shared by the whole call: free parameters, context values, BackgroundTasks.
    head = _Writer()
    leaf: dict[tuple[int, int], str] = {}  # (node index, input position) -> expression
    free: list[tuple[Node, Parameter, Input]] = []
    uses_tasks = False
    context_names: dict[Any, str] = {}
    for node in nodes:
        if node.scope is Scope.APP and node is not root:
            continue
        for position, (param, source) in enumerate(node.inputs):
            if source.kind == "free":
                j = len(free)
                free.append((node, param, source))
                leaf[node.index, position] = f"f{j}"
            elif source.kind == "context":
                name = context_names.get(source.context_type)
                if name is None:
                    name = context_names[source.context_type] = f"t{len(context_names)}"
                    ns[f"CT{name}"] = source.context_type
                leaf[node.index, position] = name
            elif source.kind == "tasks":
                uses_tasks = True
                leaf[node.index, position] = "bt"

    accepted = frozenset(source.name for _, _, source in free)
    positional = positional_names(graph)
    if baseline is not None:  # an override never changes what a call may pass
        accepted |= accepted_names(baseline, _plan_nodes(baseline))
        positional = positional_names(baseline)
    binder = Binder(graph, accepted, positional)
    ns["accepted"] = accepted
    # A handler with *args or **kwargs gets what no free parameter takes (open_call);
    # any other plan's head is the same as if the feature did not exist.
    open_call = root.signature is not None and (
        root.signature.var_positional or root.signature.var_keyword
    )
    if open_call:
        ns["bind_open"] = binder.bind_open
        ns["NO_EXTRA"] = NO_EXTRA
        # The call's own args and kw stay as given: run hands them on to join or arun.
        head.line("if args or (kw and not accepted.issuperset(kw)):")
        head.line("    free, extra_args, extra_kw = bind_open(args, kw)")
        head.line("else:")
        head.line("    free = kw")
        head.line("    extra_args = ()")
        head.line("    extra_kw = NO_EXTRA")
        values, handed_on = "free", "args, kw"
    else:
        ns["bind"] = binder.bind
        ns["check_kwargs"] = binder.check
        head.line("if args:")
        head.line("    kw = bind(args, kw)")
        head.line("elif kw and not accepted.issuperset(kw):")
        head.line("    check_kwargs(kw)")
        values, handed_on = "kw", "(), kw"  # kw is bound and checked: run hands it on
    for j, (node, param, source) in enumerate(free):
        ns[f"fn{j}"] = source.name
        ns[f"fd{j}"] = source.default
        head.line(f"f{j} = {values}.get(fn{j}, fd{j})")
        if source.default is MISSING:
            ns[f"missing{j}"] = functools.partial(raise_error, missing_free, node, param)
            head.line(f"if f{j} is MISSING:")
            head.line(f"    missing{j}()")
    needs_async_scope = not sync and any(
        n.kind is CallKind.ASYNC_GENERATOR and n.scope is not Scope.FUNCTION
        for n in nodes
        if n is not root and n.scope is not Scope.APP
    )
    request_finalizers = any(
        n.kind is not None and n.kind.has_finalizer and n.scope is not Scope.FUNCTION
        for n in nodes
        if n is not root and n.scope is not Scope.APP
    )
    # The scope object, only for plans that use it (a bare request gets one now).
    if context_names or uses_tasks or needs_async_scope or request_finalizers:
        head.line("scope = state[META]")
        head.line("if scope is None or scope is BARE_SYNC:")
        head.line("    scope = adopt(state)")
    if context_names:
        head.line("ctx = scope._context")
        for name in context_names.values():
            head.line(f"{name} = ctx[CT{name}]")
    if uses_tasks:
        head.line("bt = scope._tasks")
        head.line("if bt is None:")
        head.line("    bt = scope._tasks = BackgroundTasks()")
    if needs_async_scope:
        ns["sync_scope"] = functools.partial(raise_error, sync_scope_error, root)
        head.line("if not scope._is_async:")
        head.line("    sync_scope()")
    function_stack = any(
        n.scope is Scope.FUNCTION and n.kind is not None and n.kind.has_finalizer
        for n in nodes
        if n is not root
    )

    for node in nodes:
        i = node.index
        ns[f"n{i}"] = node  # a finalizer's owner, named in its messages
        ns[f"k{i}"] = node.key
        if node.signature is None:
            ns[f"x{i}"] = node.value
        else:
            ns[f"c{i}"] = node.call
        if node.scope is Scope.APP and node is not root:
            builder = build_app if sync else abuild_app
            ns[f"build{i}"] = functools.partial(builder, node, app)
        if node.kind is not None and node.kind.has_finalizer:
            ns[f"no_yield{i}"] = functools.partial(raise_error, no_yield, node)

    cached = {
        id(n)
        for n in nodes
        if n is not root and n.scope is Scope.REQUEST and n.cached and n.signature
    }
    # App-scoped values built by their own builder (an override's plain value is inline).
    app_nodes = [n for n in nodes if n is not root and n.scope is Scope.APP and n.signature]
    if app_nodes:
        ns["app_snap"] = app.snapshot()
    # A "prelude" plan is a plain function that builds every value synchronously and
    # returns the handler's coroutine for the caller to await: one coroutine fewer per
    # call.  It needs an async handler, sync providers only, and every app-scoped value
    # already built (otherwise it hands over to the full async plan, ``arun``).
    # A generator handler's plan gives back (its generator, its function scope's stack);
    # _generators drives the generator and closes that stack when it ends.
    streams = root.kind is not None and root.kind.has_finalizer
    prelude = (
        not sync
        and root.kind is CallKind.ASYNC
        and not function_stack
        and all(
            n.kind in (None, CallKind.SYNC, CallKind.GENERATOR) and not n.offload
            for n in nodes
            if n is not root and n.scope is not Scope.APP
        )
    )

    def body(fresh: bool, prelude: bool) -> list[str]:
        w = _Writer()
        w.indent = 2
        required: dict[int, str] = {id(root): "True"}
        hit: dict[int, str] = {}
        if cached and not fresh:
            w.line("cache_get = cache.get")
        # Pass 1 (join only): consumers first; look up what is cached, note what is needed.
        for node in reversed(nodes):
            if node is root:
                continue
            terms = []
            for consumer in consumers[id(node)]:
                r, h = required[id(consumer)], hit.get(id(consumer), "False")
                if r == "True" and h == "False":
                    terms = ["True"]
                    break
                if h == "False":
                    terms.append(r)
                elif r == "True":
                    terms.append(f"not {h}")
                else:
                    terms.append(f"({r} and not {h})")
            expr = "True" if terms == ["True"] else " or ".join(dict.fromkeys(terms))
            if expr != "True":
                w.line(f"r{node.index} = {expr}")
                expr = f"r{node.index}"
            required[id(node)] = expr
            if id(node) in cached and not fresh:
                i = node.index
                if expr == "True":
                    w.line(f"v{i} = cache_get(k{i}, MISSING)")
                else:
                    w.line(f"v{i} = cache_get(k{i}, MISSING) if {expr} else MISSING")
                w.line(f"h{i} = v{i} is not MISSING")
                hit[id(node)] = f"h{i}"
        # Pass 2: dependencies first; build what is needed and not cached.
        if fresh and concurrent and not sync and not prelude:
            _build_concurrently(w, nodes, root, leaf, cached)
        else:
            _build_in_order(w, nodes, root, leaf, sync, cached, required, hit, prelude)
        call = f"c{root.index}({_arguments_source(root, leaf, open_call=open_call)})"
        if root.kind is CallKind.ASYNC and not prelude:
            call = "await " + call
        if streams:  # the caller drives it: see _generators
            w.line(f"result = {call}, fstack" if function_stack else f"return {call}, None")
        else:
            w.line(f"result = {call}" if function_stack else f"return {call}")
        return w.lines

    def assemble(name: str) -> str:
        """The source of one of the plan's functions.

        ``run`` builds into an empty scope (the common case) and hands a scope already in
        use to ``join``; a prelude ``run`` hands a missing app value to ``arun``, its
        async twin.  ``join`` and ``arun`` are compiled on first use only: a large graph
        then costs one body's compile on its first call, not three.
        """
        as_prelude = prelude and name in ("run", "fresh")
        fresh = name != "join"
        asynchronous = not sync and not as_prelude
        lines = [f"{'async ' if asynchronous else ''}def {name}(state, args, kw):"]
        lines.extend(head.lines)
        lines.append("    cache = state")
        if name == "run":  # fresh and arun only ever get a state with no values yet
            delegate = f"join(state, {handed_on})"
            lines.append("    if len(state) > 1:  # values beside META: a request in use")
            lines.append(f"        return {'await ' if asynchronous else ''}{delegate}")
        if as_prelude and app_nodes:
            # The app values come from the plan's snapshot; the first call with all of
            # them built takes it (a missing one goes to arun, which builds it).
            app_values = ", ".join(f"v{n.index}" for n in app_nodes)
            app_values += "," if len(app_nodes) == 1 else ""
            lines.append("    snap = app_snap.values")
            lines.append("    if snap is None:")
            lines.append("        version = app._version")
            for n in app_nodes:
                lines.append(f"        v{n.index} = app_get(k{n.index}, MISSING)")
            missing = " or ".join(f"v{n.index} is MISSING" for n in app_nodes)
            lines.append(f"        if {missing}:")
            lines.append(f"            return arun(state, {handed_on})")
            lines.append(f"        app_remember(app_snap, version, ({app_values}))")
            lines.append("    else:")
            lines.append(f"        {app_values} = snap")
        if request_finalizers:
            lines.append("    fin = scope._finalizers")
            lines.append("    if fin is None:")
            lines.append("        fin = scope._finalizers = []")
            lines.append("    push = fin.append")
        main = [line[4:] for line in body(fresh, as_prelude)]  # bodies are written one deeper
        if function_stack:
            lines.append("    fstack = []")
            lines.append("    fpush = fstack.append")
            lines.append("    try:")
            lines.extend("    " + line for line in main)
            awaiting = "" if sync else "await "
            lines.extend(
                [
                    "    except BaseException as exc:",
                    f"        error = {awaiting}close_stack(fstack, exc)",
                    "        if error is exc:",
                    "            raise",
                    "        raise error",
                ]
            )
            if not streams:  # a generator's function scope ends with the generator
                lines.extend(
                    [
                        "    if fstack:",
                        f"        error = {awaiting}close_stack(fstack, None)",
                        "        if error is not None:",
                        "            raise error",
                    ]
                )
            lines.append("    return result")
        else:
            lines.extend(main)
        return "\n".join(lines) + "\n"

    filename = f"<injectkit plan for {root.label!r}>"
    # The state an injected call opens its own request with: every value this plan
    # caches already has its slot, so storing one never grows the dict.
    template: dict[object, Any] = {META: BARE_SYNC if sync else None}
    template.update((node.key, MISSING) for node in nodes if id(node) in cached)
    names = ["run", "fresh", "join", *(["arun"] if prelude else [])]
    plan = Plan(graph, template, {name: functools.partial(assemble, name) for name in names})
    for name in names:
        attribute = "stream" if streams and name == "run" else name
        deferred = Deferred(ns, name, functools.partial(assemble, name), filename, plan, attribute)
        ns[name] = deferred
        if name in ENTRIES:
            setattr(plan, attribute, deferred)
    if streams:  # scope.call(gen_func) gives the injected generator, joined to the scope
        plan.run = joined_stream(
            root.call,
            functools.partial(plan.compiled, "stream"),
            not sync,
            container._scope_var,
            ns["adopt"],
        )
    return plan


def _arguments_source(
    node: Node, leaf: dict[tuple[int, int], str], *, open_call: bool = False
) -> str:
    """The arguments of a provider's call; ``open_call``: the handler's, with the call's
    extra positional arguments and keywords for its ``*args`` and ``**kwargs``."""
    positional: list[str] = []
    keywords: list[str] = []
    for position, (param, source) in enumerate(node.inputs):
        expr = f"v{source.node.index}" if source.node else leaf[node.index, position]
        # The one piece of user text in the source: a keyword-only parameter's name, which
        # reading the signature checked can be written as a keyword argument (an
        # identifier, not a keyword, not __debug__, unchanged by NFKC normalisation).
        if param.keyword_only:
            keywords.append(f"{param.name}={expr}")
        else:
            positional.append(expr)
    if open_call:
        positional.append("*extra_args")
        keywords.append("**extra_kw")
    return ", ".join(positional + keywords)


def _build_in_order(
    w: _Writer,
    nodes: list[Node],
    root: Node,
    leaf: dict[tuple[int, int], str],
    sync: bool,
    cached: set[int],
    required: dict[int, str],
    hit: dict[int, str],
    prelude: bool,
) -> None:
    for node in nodes:
        if node is root or (prelude and node.scope is Scope.APP and node.signature):
            continue  # a prelude looked app values up before anything else
        r, h = required[id(node)], hit.get(id(node), "False")
        condition = " and ".join(
            part for part in (r if r != "True" else "", f"not {h}" if h != "False" else "") if part
        )
        if condition:
            w.line(f"if {condition}:")
            w.indent += 1
        _build(w, node, leaf, sync, cached=id(node) in cached)
        if condition:
            w.indent -= 1


def _levels(nodes: list[Node], root: Node) -> list[list[Node]]:
    """Nodes grouped by depth: a node's dependencies are all in earlier groups."""
    depth: dict[int, int] = {}
    for node in nodes:  # dependencies first
        inner = node.scope is Scope.APP and node is not root
        deps = () if inner else [d for d in node.dependencies() if id(d) in depth]
        depth[id(node)] = 1 + max((depth[id(d)] for d in deps), default=-1)
    groups: dict[int, list[Node]] = {}
    for node in nodes:
        if node is not root:
            groups.setdefault(depth[id(node)], []).append(node)
    return [groups[level] for level in sorted(groups)]


def _build_concurrently(
    w: _Writer, nodes: list[Node], root: Node, leaf: dict[tuple[int, int], str], cached: set[int]
) -> None:
    """Fresh body of a concurrent plan: independent async providers run in a task group."""
    for group in _levels(nodes, root):
        concurrent = [
            n
            for n in group
            if n.kind in (CallKind.ASYNC, CallKind.ASYNC_GENERATOR) and n.scope is not Scope.APP
        ]
        if len(concurrent) < 2:
            concurrent = []
        for node in group:
            if node not in concurrent:
                _build(w, node, leaf, False, cached=id(node) in cached)
        if not concurrent:
            continue
        specs = []
        for node in concurrent:
            i = node.index
            if node.kind is CallKind.ASYNC_GENERATOR:
                push = "fpush" if node.scope is Scope.FUNCTION else "push"
                specs.append(f"({_thunk(node, leaf)}, {push}, n{i}, no_yield{i})")
            else:
                specs.append(f"({_thunk(node, leaf)}, None, None, None)")
        targets = ", ".join(f"v{n.index}" for n in concurrent)
        w.line(f"{targets}, = await gather({', '.join(specs)})")
        for node in concurrent:
            if id(node) in cached:
                w.line(f"cache[k{node.index}] = v{node.index}")


def _thunk(node: Node, leaf: dict[tuple[int, int], str]) -> str:
    """``partial(cN, ...)``: the provider call, to run in a worker thread or a task."""
    arguments = _arguments_source(node, leaf)
    return f"partial(c{node.index}{', ' if arguments else ''}{arguments})"


def _build(
    w: _Writer, node: Node, leaf: dict[tuple[int, int], str], sync: bool, *, cached: bool
) -> None:
    i = node.index
    aw = "" if sync else "await "
    if node.signature is None:
        w.line(f"v{i} = x{i}")
    elif node.scope is Scope.APP:
        w.line(f"v{i} = app_get(k{i}, MISSING)")
        w.line(f"if v{i} is MISSING:")
        w.line(f"    v{i} = {aw}build{i}()")
    else:
        call = f"c{i}({_arguments_source(node, leaf)})"
        kind = node.signature.kind
        push = "fpush" if node.scope is Scope.FUNCTION else "push"
        if kind is CallKind.SYNC:
            if node.offload and not sync:
                w.line(f"v{i} = await run_sync({_thunk(node, leaf)})")
            else:
                w.line(f"v{i} = {call}")
        elif kind is CallKind.ASYNC:
            w.line(f"v{i} = await {call}")
        elif kind is CallKind.GENERATOR:
            w.line(f"g{i} = {call}")
            w.line("try:")
            w.line(f"    v{i} = next(g{i})")
            w.line("except StopIteration:")
            w.line(f"    no_yield{i}()")
            w.line(f"{push}((g{i}, False, n{i}))")
        else:
            w.line(f"g{i} = {call}")
            w.line("try:")
            w.line(f"    v{i} = await g{i}.__anext__()")
            w.line("except StopAsyncIteration:")
            w.line(f"    no_yield{i}()")
            w.line(f"{push}((g{i}, True, n{i}))")
    if cached:
        w.line(f"cache[k{i}] = v{i}")
