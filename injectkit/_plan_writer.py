"""Writing a plan's source from its shape: one method per section of a plan function.

Every plan function (``run``, ``fresh``, ``join``, ``arun``) has the same sections, in
this order; the writer method that emits each is named after it:

========================  ==================================================================
``_binding``              the call's args and kw bound to the graph's free parameters
``_free_params``          each free parameter's value (``f0``...)
``_scope``                the request's scope object, for plans that use it
``_context``              context values (``t0``...) and BackgroundTasks (``bt``)
``_delegation``           ``run`` only: a request already in use goes to ``join``
``_app_snapshot``         a prelude's app-scoped values, from the plan's snapshot
``_request_finalizers``   the request's finalizer list, for generators closed with it
``_lookups``              ``join`` only: the request's cached values, and what is missing
``_build_in_order``       each provider's call (``_build``), dependencies first
``_build_concurrently``   ``fresh`` of a concurrent plan: independent async calls at once
``_handler_call``         the injected function's own call
``_function_scope``       generators closed when this call returns
========================  ==================================================================

Sections return lines without the function body's indentation.  A value the source
refers to (a provider, a cache key, a free parameter's name) is never written into it:
it goes in the plan's namespace under a positional name (``c3``, ``k3``, ``fn0``), put
there when the writer is made (by ``_runtime``, ``_nodes`` and the shared sections that
use it), before any function is written or run.  So the only user text compiled is a
keyword-only parameter's name (see ``_arguments``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ._app import AppState
from ._app_build import abuild_app, build_app
from ._background import BackgroundTasks
from ._binding import NO_EXTRA
from ._finalize import close_all
from ._graph import Node
from ._introspect import MISSING, CallKind
from ._plan_runtime import gather, missing_free, no_yield, raise_error, sync_scope_error
from ._plan_shape import PlanShape, built_apart
from ._request import BARE_SYNC, META, RequestScope, RequestState
from ._scope import Scope
from ._shield import aclose_shielded

__all__ = ["PlanWriter"]

_INDENT = "    "


def _indented(lines: Iterable[str]) -> list[str]:
    return [_INDENT + line for line in lines]


class _Function(NamedTuple):
    """What sets one plan function apart from the others."""

    name: str
    fresh: bool  # builds into a request with no values yet (all but ``join``)
    prelude: bool  # a prelude plan's run or fresh: a plain function returning a coroutine
    asynchronous: bool


class PlanWriter:
    """Writes one plan's functions from its :class:`PlanShape`.

    Made once per plan: the sections every function shares (binding, scope, context) are
    written here, and so is the namespace the functions run in (``ns``).  ``source(name)``
    writes the rest of one function when it is first compiled (or shown).
    """

    def __init__(
        self,
        shape: PlanShape,
        *,
        app: AppState,
        adopt: Callable[[RequestState], RequestScope],
    ) -> None:
        self.shape = shape
        self.ns: dict[str, Any] = {}
        self._runtime(app, adopt)
        self._nodes(app)
        self._head = [
            *self._binding(),
            *self._free_params(),
            *self._scope(),
            *self._context(),
        ]

    def source(self, name: str) -> str:
        """The source of the plan function ``name``: run, fresh, join or arun."""
        function = self._function(name)
        body = [
            *self._head,
            "cache = state",
            *self._delegation(function),
            *self._app_snapshot(function),
            *self._request_finalizers(),
            *self._function_scope(self._main(function)),
        ]
        signature = f"{'async ' if function.asynchronous else ''}def {name}(state, args, kw):"
        return "\n".join([signature, *_indented(body)]) + "\n"

    def _function(self, name: str) -> _Function:
        """``run`` builds into an empty request (the common case) and hands one already in
        use to ``join``; a prelude ``run`` hands a missing app value to ``arun``, its
        async twin.  ``fresh`` is ``run`` for a request the call just opened."""
        shape = self.shape
        prelude = shape.prelude and name in ("run", "fresh")
        return _Function(name, name != "join", prelude, not shape.sync and not prelude)

    # -- the namespace -----------------------------------------------------------------

    def _runtime(self, app: AppState, adopt: Callable[[RequestState], RequestScope]) -> None:
        """What every plan's code may call, besides its providers."""
        self.ns.update(
            MISSING=MISSING,
            BackgroundTasks=BackgroundTasks,
            partial=functools.partial,
            run_sync=app.threads.run,
            app=app,
            app_get=app.values.get,
            app_remember=app.remember,
            # A function scope's finalizers get the request scope's shield (see _shield).
            close_stack=close_all if self.shape.sync else aclose_shielded,
            gather=gather,
            META=META,
            BARE_SYNC=BARE_SYNC,
            adopt=adopt,
            accepted=self.shape.binder.accepted,
            # The plan's frames are plumbing: pytest hides them from a failing test's
            # traceback (read from the functions' globals, so nothing per call).
            __tracebackhide__=True,
        )

    def _nodes(self, app: AppState) -> None:
        """Each node's provider, cache key and builders, under its index."""
        ns = self.ns
        for node in self.shape.nodes:
            i = node.index
            ns[f"n{i}"] = node  # a finalizer's owner, named in its messages
            ns[f"k{i}"] = node.key
            if node.signature is None:
                ns[f"x{i}"] = node.value
            else:
                ns[f"c{i}"] = node.call
            if built_apart(node):
                builder = build_app if self.shape.sync else abuild_app
                ns[f"build{i}"] = functools.partial(builder, node, app)
            if node.kind is not None and node.kind.has_finalizer:
                ns[f"no_yield{i}"] = functools.partial(raise_error, no_yield, node)
        if self.shape.app_nodes:
            ns["app_snap"] = app.snapshot()

    # -- the sections every function shares -------------------------------------------

    def _binding(self) -> list[str]:
        binder = self.shape.binder
        if self.shape.open_call:
            self.ns.update(bind_open=binder.bind_open, NO_EXTRA=NO_EXTRA)
            # The call's own args and kw stay as given: run hands them on to join or arun.
            return [
                "if args or (kw and not accepted.issuperset(kw)):",
                "    free, extra_args, extra_kw = bind_open(args, kw)",
                "else:",
                "    free = kw",
                "    extra_args = ()",
                "    extra_kw = NO_EXTRA",
            ]
        self.ns.update(bind=binder.bind, check_kwargs=binder.check)
        return [
            "if args:",
            "    kw = bind(args, kw)",
            "elif kw and not accepted.issuperset(kw):",
            "    check_kwargs(kw)",
        ]

    def _free_params(self) -> list[str]:
        values = "free" if self.shape.open_call else "kw"
        lines = []
        for j, (node, param, source) in enumerate(self.shape.free):
            self.ns.update({f"fn{j}": source.name, f"fd{j}": source.default})
            lines.append(f"f{j} = {values}.get(fn{j}, fd{j})")
            if source.default is MISSING:
                self.ns[f"missing{j}"] = functools.partial(raise_error, missing_free, node, param)
                lines += [f"if f{j} is MISSING:", f"    missing{j}()"]
        return lines

    def _scope(self) -> list[str]:
        """The scope object, only for plans that use it (a bare request gets one now)."""
        if not self.shape.uses_scope:
            return []
        return [
            "scope = state[META]",
            "if scope is None or scope is BARE_SYNC:",
            "    scope = adopt(state)",
        ]

    def _context(self) -> list[str]:
        shape, lines = self.shape, []
        if shape.context_names:
            lines.append("ctx = scope._context")
            for context_type, name in shape.context_names.items():
                self.ns[f"CT{name}"] = context_type
                lines.append(f"{name} = ctx[CT{name}]")
        if shape.uses_tasks:
            lines += [
                "bt = scope._tasks",
                "if bt is None:",
                "    bt = scope._tasks = BackgroundTasks()",
            ]
        if shape.needs_async_scope:
            self.ns["sync_scope"] = functools.partial(raise_error, sync_scope_error, shape.root)
            lines += ["if not scope._is_async:", "    sync_scope()"]
        return lines

    # -- the sections that differ per function ------------------------------------------

    def _delegation(self, function: _Function) -> list[str]:
        if function.name != "run":  # fresh and arun only ever get a request with no values
            return []
        aw = "await " if function.asynchronous else ""
        return [
            "if len(state) > 1:  # values beside META: a request in use",
            f"    return {aw}join(state, {self.shape.handed_on})",
        ]

    def _app_snapshot(self, function: _Function) -> list[str]:
        """The app values come from the plan's snapshot; the first call with all of them
        built takes it (a missing one goes to arun, which builds it)."""
        app_nodes = self.shape.app_nodes
        if not (function.prelude and app_nodes):
            return []
        names = ", ".join(f"v{n.index}" for n in app_nodes) + ("," if len(app_nodes) == 1 else "")
        missing = " or ".join(f"v{n.index} is MISSING" for n in app_nodes)
        return [
            "snap = app_snap.values",
            "if snap is None:",
            "    version = app._version",
            *(f"    v{n.index} = app_get(k{n.index}, MISSING)" for n in app_nodes),
            f"    if {missing}:",
            f"        return arun(state, {self.shape.handed_on})",
            f"    app_remember(app_snap, version, ({names}))",
            "else:",
            f"    {names} = snap",
        ]

    def _request_finalizers(self) -> list[str]:
        if not self.shape.request_finalizers:
            return []
        return [
            "fin = scope._finalizers",
            "if fin is None:",
            "    fin = scope._finalizers = []",
            "push = fin.append",
        ]

    def _main(self, function: _Function) -> list[str]:
        """Look up what the request has (join), build the rest, call the handler."""
        shape = self.shape
        lookups, conditions = self._lookups(function.fresh)
        if function.fresh and shape.concurrent and not shape.sync and not function.prelude:
            builds = self._build_concurrently()
        else:
            builds = self._build_in_order(conditions, function.prelude)
        return [*lookups, *builds, self._handler_call(function.prelude)]

    def _lookups(self, fresh: bool) -> tuple[list[str], dict[int, str]]:
        """``join``'s first pass, consumers first: look up what the request has cached and
        note which values are needed (``r3``: a consumer that is not cached needs it).
        Returns the lines and, per node, the condition under which it is built."""
        shape = self.shape
        required: dict[int, str] = {id(shape.root): "True"}
        hit: dict[int, str] = {}
        lines = ["cache_get = cache.get"] if shape.cached and not fresh else []
        for node in reversed(shape.nodes):
            if node is shape.root:
                continue
            i, expr = node.index, self._needed(node, required, hit)
            if expr != "True":
                lines.append(f"r{i} = {expr}")
                expr = f"r{i}"
            required[id(node)] = expr
            if id(node) in shape.cached and not fresh:
                lookup = f"cache_get(k{i}, MISSING)"
                if expr != "True":
                    lookup += f" if {expr} else MISSING"
                lines += [f"v{i} = {lookup}", f"h{i} = v{i} is not MISSING"]
                hit[id(node)] = f"h{i}"
        conditions = {key: _built_when(r, hit.get(key)) for key, r in required.items()}
        return lines, conditions

    def _needed(self, node: Node, required: dict[int, str], hit: dict[int, str]) -> str:
        """When ``node`` is needed: when a consumer that is needed was not found cached."""
        terms = []
        for consumer in self.shape.consumers[id(node)]:
            r, h = required[id(consumer)], hit.get(id(consumer), "False")
            if r == "True" and h == "False":
                return "True"
            if h == "False":
                terms.append(r)
            elif r == "True":
                terms.append(f"not {h}")
            else:
                terms.append(f"({r} and not {h})")
        return " or ".join(dict.fromkeys(terms))

    def _build_in_order(self, conditions: dict[int, str], prelude: bool) -> list[str]:
        lines = []
        for node in self.shape.nodes:
            if node is self.shape.root or (prelude and node.scope is Scope.APP and node.signature):
                continue  # a prelude looked app values up before anything else
            build = self._build(node)
            condition = conditions[id(node)]
            lines += [f"if {condition}:", *_indented(build)] if condition else build
        return lines

    def _build_concurrently(self) -> list[str]:
        """Independent async providers, level by level, run in a task group."""
        lines = []
        for group in _levels(self.shape.nodes, self.shape.root):
            together = [
                n
                for n in group
                if n.kind in (CallKind.ASYNC, CallKind.ASYNC_GENERATOR) and n.scope is not Scope.APP
            ]
            if len(together) < 2:
                together = []
            for node in group:
                if node not in together:
                    lines += self._build(node)
            if together:
                lines += self._gather(together)
        return lines

    def _gather(self, together: list[Node]) -> list[str]:
        specs = []
        for node in together:
            if node.kind is CallKind.ASYNC_GENERATOR:
                push = "fpush" if node.scope is Scope.FUNCTION else "push"
                specs.append(f"({self._thunk(node)}, {push}, n{node.index}, no_yield{node.index})")
            else:
                specs.append(f"({self._thunk(node)}, None, None, None)")
        targets = ", ".join(f"v{n.index}" for n in together)
        lines = [f"{targets}, = await gather({', '.join(specs)})"]
        return lines + [self._store(n) for n in together if id(n) in self.shape.cached]

    # -- one node ------------------------------------------------------------------------

    def _build(self, node: Node) -> list[str]:
        """The lines that give ``v{i}``, the value of node ``i``, then cache it."""
        i = node.index
        if node.signature is None:
            lines = [f"v{i} = x{i}"]  # an override's plain value
        elif node.scope is Scope.APP:
            lines = self._app_value(node)
        elif node.signature.kind is CallKind.SYNC:
            lines = self._sync_call(node)
        elif node.signature.kind is CallKind.ASYNC:
            lines = [f"v{i} = await c{i}({self._arguments(node)})"]
        else:
            lines = self._enter_generator(node)
        if id(node) in self.shape.cached:
            lines.append(self._store(node))
        return lines

    def _app_value(self, node: Node) -> list[str]:
        i = node.index
        aw = "" if self.shape.sync else "await "
        return [
            f"v{i} = app_get(k{i}, MISSING)",
            f"if v{i} is MISSING:",
            f"    v{i} = {aw}build{i}()",
        ]

    def _sync_call(self, node: Node) -> list[str]:
        if node.offload and not self.shape.sync:
            return [f"v{node.index} = await run_sync({self._thunk(node)})"]
        return [f"v{node.index} = c{node.index}({self._arguments(node)})"]

    def _enter_generator(self, node: Node) -> list[str]:
        """Run a generator provider to its yield; its finalizer goes on the stack of the
        scope it lives in (``push``: the request's, ``fpush``: this call's)."""
        i, is_async = node.index, node.kind is CallKind.ASYNC_GENERATOR
        push = "fpush" if node.scope is Scope.FUNCTION else "push"
        step, stop = (
            ("await g{}.__anext__()", "StopAsyncIteration")
            if is_async
            else ("next(g{})", "StopIteration")
        )
        return [
            f"g{i} = c{i}({self._arguments(node)})",
            "try:",
            f"    v{i} = {step.format(i)}",
            f"except {stop}:",
            f"    no_yield{i}()",
            f"{push}((g{i}, {is_async}, n{i}))",
        ]

    def _store(self, node: Node) -> str:
        return f"cache[k{node.index}] = v{node.index}"

    def _handler_call(self, prelude: bool) -> str:
        root = self.shape.root
        call = f"c{root.index}({self._arguments(root)})"
        if root.kind is CallKind.ASYNC and not prelude:
            call = "await " + call
        if self.shape.streams:  # the caller drives it: see _generators
            return (
                f"result = {call}, fstack" if self.shape.function_stack else f"return {call}, None"
            )
        return f"result = {call}" if self.shape.function_stack else f"return {call}"

    def _function_scope(self, main: list[str]) -> list[str]:
        """Close this call's function-scoped generators, also when it raised; a generator
        handler's close them when the generator ends (see _generators)."""
        if not self.shape.function_stack:
            return main
        aw = "" if self.shape.sync else "await "
        on_error = [
            "except BaseException as exc:",
            f"    error = {aw}close_stack(fstack, exc)",
            "    if error is exc:",
            "        raise",
            "    raise error",
        ]
        on_return = [
            "if fstack:",
            f"    error = {aw}close_stack(fstack, None)",
            "    if error is not None:",
            "        raise error",
        ]
        return [
            "fstack = []",
            "fpush = fstack.append",
            "try:",
            *_indented(main),
            *on_error,
            *([] if self.shape.streams else on_return),
            "return result",
        ]

    # -- a provider's arguments -------------------------------------------------------------

    def _arguments(self, node: Node) -> str:
        """The arguments of a provider's call; the handler's get the call's extra positional
        arguments and keywords for its ``*args`` and ``**kwargs`` (an open call)."""
        positional: list[str] = []
        keywords: list[str] = []
        for position, (param, source) in enumerate(node.inputs):
            expr = f"v{source.node.index}" if source.node else self.shape.leaf[node.index, position]
            # The one piece of user text in the source: a keyword-only parameter's name, which
            # reading the signature checked can be written as a keyword argument (an
            # identifier, not a keyword, not __debug__, unchanged by NFKC normalisation).
            if param.keyword_only:
                keywords.append(f"{param.name}={expr}")
            else:
                positional.append(expr)
        if node is self.shape.root and self.shape.open_call:
            positional.append("*extra_args")
            keywords.append("**extra_kw")
        return ", ".join(positional + keywords)

    def _thunk(self, node: Node) -> str:
        """``partial(cN, ...)``: the provider call, to run in a worker thread or a task."""
        arguments = self._arguments(node)
        return f"partial(c{node.index}{', ' if arguments else ''}{arguments})"


def _built_when(required: str, hit: str | None) -> str:
    """A node is built when it is needed and was not found cached ("": always)."""
    parts = [] if required == "True" else [required]
    if hit is not None:
        parts.append(f"not {hit}")
    return " and ".join(parts)


def _levels(nodes: list[Node], root: Node) -> list[list[Node]]:
    """Nodes grouped by depth: a node's dependencies are all in earlier groups."""
    depth: dict[int, int] = {}
    for node in nodes:  # dependencies first
        deps = () if built_apart(node) else [d for d in node.dependencies() if id(d) in depth]
        depth[id(node)] = 1 + max((depth[id(d)] for d in deps), default=-1)
    groups: dict[int, list[Node]] = {}
    for node in nodes:
        if node is not root:
            groups.setdefault(depth[id(node)], []).append(node)
    return [groups[level] for level in sorted(groups)]
