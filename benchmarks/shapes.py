"""The request shapes every contender implements, and the checks run before timing.

A shape fixes *what one request does*: which objects are built, which of them are shared,
what the handler returns, what is torn down. Each contender wires the same classes the way
its library recommends; the harness then checks, before it times anything, that

- the handler returns the expected value (computed from the objects it received), and
- every constructor ran exactly once per request (so shared nodes really are shared, and
  request-scoped nodes are not cached across requests), app-scoped ones not at all once
  the app is warm.

Graph-shaped requests (``single``, ``diamond10``, ``singletons``, ``chain50``,
``diamond10_sync``, and the dense graphs of ``build``) use classes generated from a
:class:`Graph` spec: ``class N2: def __init__(self, n0: N0, n1: N1)``, with real
annotations so type-driven containers can autowire them, and a counter bumped by each
constructor. ``yield_tasks`` and ``parallel_io`` use the hand-written classes below.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "IO_DELAY",
    "SHAPES",
    "Audit",
    "Conn",
    "Graph",
    "IoA",
    "IoB",
    "IoC",
    "SemanticError",
    "Session",
    "ShapeInfo",
    "Tasks",
    "YieldShape",
    "chain",
    "dense",
    "diamond",
    "new_shape",
    "noop_task",
    "single",
    "singletons",
]


class SemanticError(AssertionError):
    """A contender's request did not do what the shape requires."""


@dataclasses.dataclass(frozen=True)
class ShapeInfo:
    key: str
    title: str
    description: str
    is_async: bool = True


SHAPES: tuple[ShapeInfo, ...] = (
    ShapeInfo(
        "single",
        "one request-scoped dependency",
        "An async handler taking one request-scoped object with no dependencies.",
    ),
    ShapeInfo(
        "diamond10",
        "10-node DAG with shared nodes",
        "An async handler taking N8 and N9, the top of a fixed 4-layer DAG of 10 "
        "request-scoped classes: N2(N0, N1), N3(N0, N1), N4(N1), N5(N2, N3), N6(N3, N4), "
        "N7(N2, N4), N8(N5, N6, N7), N9(N6, N7). Seven nodes have two or three dependents; "
        "each is built once per request and shared.",
    ),
    ShapeInfo(
        "yield_tasks",
        "generator dependencies + background tasks",
        "A sync generator dependency (Conn) and an async one (Session, needs Conn), "
        "a sub-dependency (Audit) that adds a no-op task, and a handler that adds "
        "another. One request = resolve + call + run both tasks + both teardowns.",
    ),
    ShapeInfo(
        "singletons",
        "5 app-scoped services + 1 request-scoped",
        "An async handler taking five app-scoped services (built before timing) and "
        "one request-scoped object that itself needs two of them.",
    ),
    ShapeInfo(
        "chain50",
        "linear chain of 50",
        "An async handler taking C49, where C_i needs C_(i-1): 50 request-scoped "
        "objects built per request.",
    ),
    ShapeInfo(
        "diamond10_sync",
        "diamond10, fully synchronous",
        "The diamond10 graph with a plain `def` handler called through each "
        "library's synchronous API (the Flask path); no event loop involved.",
        is_async=False,
    ),
)

# ---------------------------------------------------------------------------------------
# Generated graphs
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class Graph:
    """A DAG of generated classes; ``deps`` is in topological order (dependencies first)."""

    name: str
    deps: dict[str, tuple[str, ...]]
    roots: tuple[str, ...]
    app_nodes: frozenset[str]
    classes: dict[str, type]
    built: list[int]
    namespace: dict[str, Any]

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(self.deps)

    @property
    def app_nodes_in_order(self) -> tuple[str, ...]:
        return tuple(n for n in self.deps if n in self.app_nodes)

    @property
    def request_nodes(self) -> tuple[str, ...]:
        return tuple(n for n in self.deps if n not in self.app_nodes)

    @staticmethod
    def param(node: str) -> str:
        """The parameter name used for ``node`` everywhere (``N2`` -> ``n2``)."""
        return node.lower()

    @property
    def expected(self) -> int:
        """What the handler returns: the sum of its roots' values."""
        values: dict[str, int] = {}
        for node, deps in self.deps.items():
            values[node] = 1 + sum(values[d] for d in deps)
        return sum(values[r] for r in self.roots)

    @property
    def root_sum(self) -> str:
        """The handler's body expression, the same in every contender: ``n8.value + n9.value``."""
        return " + ".join(f"{self.param(r)}.value" for r in self.roots)

    def reset(self) -> None:
        self.built[:] = [0] * len(self.built)

    def counts(self) -> dict[str, int]:
        return dict(zip(self.deps, self.built, strict=True))

    def check(self, requests: int, *, app_built: int = 0) -> None:
        """Every request node built ``requests`` times, every app node ``app_built`` times."""
        wrong = {
            node: count
            for node, count in self.counts().items()
            if count != (app_built if node in self.app_nodes else requests)
        }
        if wrong:
            raise SemanticError(
                f"{self.name}: after {requests} request(s) these constructors ran a wrong "
                f"number of times (request nodes must run once per request, app nodes "
                f"{app_built} times): {wrong}"
            )

    def compile(self, source: str, **extra: Any) -> dict[str, Any]:
        """Execute generated ``source`` next to the graph's classes; return its namespace.

        Contenders use this for the repetitive provider functions that a user would write
        by hand (one per node), so the code that runs is exactly what a user would write.
        """
        ns: dict[str, Any] = {**self.namespace, **extra}
        exec(compile(source, f"<{ns['__name__']}>", "exec"), ns)
        return ns


_graph_ids = itertools.count()


def make_graph(
    name: str,
    deps: Mapping[str, Sequence[str]],
    roots: Sequence[str],
    app_nodes: Sequence[str] = (),
) -> Graph:
    seen: set[str] = set()
    for node, node_deps in deps.items():
        missing = [d for d in node_deps if d not in seen]
        if missing:
            raise ValueError(f"{name}: {node} needs {missing} before it (not topological)")
        seen.add(node)
    built = [0] * len(deps)
    lines: list[str] = []
    for index, (node, node_deps) in enumerate(deps.items()):
        params = "".join(f", {Graph.param(d)}: {d}" for d in node_deps)
        value = " + ".join(["1", *(f"{Graph.param(d)}.value" for d in node_deps)])
        lines += [
            f"class {node}:",
            "    __slots__ = ('value',)",
            f"    def __init__(self{params}) -> None:",
            f"        _built[{index}] += 1",
            f"        self.value = {value}",
            "",
        ]
    # A real module: some containers import a class's ``__module__`` to read its annotations.
    module = types.ModuleType(f"benchmarks._graphs.{name}_{next(_graph_ids)}")
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    namespace["_built"] = built
    exec(compile("\n".join(lines), f"<{module.__name__}>", "exec"), namespace)
    return Graph(
        name=name,
        deps={node: tuple(d) for node, d in deps.items()},
        roots=tuple(roots),
        app_nodes=frozenset(app_nodes),
        classes={node: namespace[node] for node in deps},
        built=built,
        namespace=namespace,
    )


def single(name: str = "single") -> Graph:
    return make_graph(name, {"Dep": ()}, roots=("Dep",))


DIAMOND: dict[str, tuple[str, ...]] = {
    "N0": (),
    "N1": (),
    "N2": ("N0", "N1"),
    "N3": ("N0", "N1"),
    "N4": ("N1",),
    "N5": ("N2", "N3"),
    "N6": ("N3", "N4"),
    "N7": ("N2", "N4"),
    "N8": ("N5", "N6", "N7"),
    "N9": ("N6", "N7"),
}


def diamond(name: str = "diamond10") -> Graph:
    return make_graph(name, DIAMOND, roots=("N8", "N9"))


def singletons(name: str = "singletons") -> Graph:
    deps: dict[str, tuple[str, ...]] = {f"S{i}": () for i in range(1, 6)}
    deps["Req"] = ("S1", "S2")
    return make_graph(
        name, deps, roots=(*(f"S{i}" for i in range(1, 6)), "Req"), app_nodes=list(deps)[:5]
    )


def chain(length: int = 50, name: str | None = None) -> Graph:
    deps = {f"C{i}": ((f"C{i - 1}",) if i else ()) for i in range(length)}
    return make_graph(name or f"chain{length}", deps, roots=(f"C{length - 1}",))


def dense(size: int, width: int = 10) -> Graph:
    """``size`` nodes in layers of ``width``; each node needs every node of the layer below."""
    if size % width:
        raise ValueError(f"size {size} is not a multiple of width {width}")
    layers = size // width
    deps: dict[str, tuple[str, ...]] = {}
    for layer in range(layers):
        below = tuple(f"D{layer - 1}x{j}" for j in range(width)) if layer else ()
        for j in range(width):
            deps[f"D{layer}x{j}"] = below
    top = tuple(f"D{layers - 1}x{j}" for j in range(width))
    return make_graph(f"dense{size}", deps, roots=top)


# ---------------------------------------------------------------------------------------
# yield_tasks
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class YieldCounters:
    conn_built: int = 0
    conn_closed: int = 0
    session_built: int = 0
    session_closed: int = 0
    audit_built: int = 0
    tasks_run: int = 0
    #: ``tasks_run`` as it was when the last Session was closed: 2 when a request's
    #: tasks ran before its teardown (the order FastAPI and injectkit promise).
    tasks_run_at_session_close: int = -1


YIELD = YieldCounters()


class Conn:
    """Made by a *sync* generator dependency; closed in its finalizer."""

    __slots__ = ("closed", "value")

    def __init__(self) -> None:
        YIELD.conn_built += 1
        self.value = 1
        self.closed = False

    def close(self) -> None:
        self.closed = True
        YIELD.conn_closed += 1


class Session:
    """Made by an *async* generator dependency from a Conn; closed (awaited) in its finalizer."""

    __slots__ = ("closed", "conn", "value")

    def __init__(self, conn: Conn) -> None:
        YIELD.session_built += 1
        self.conn = conn
        self.value = conn.value + 1
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True
        YIELD.session_closed += 1
        YIELD.tasks_run_at_session_close = YIELD.tasks_run


class Audit:
    """Built by a plain sub-dependency that also adds a background task."""

    __slots__ = ("value",)

    def __init__(self, session: Session) -> None:
        YIELD.audit_built += 1
        self.value = session.value + 1


async def noop_task() -> None:
    """The background task added by the sub-dependency and by the handler."""
    YIELD.tasks_run += 1


class Tasks:
    """Stand-in for ``BackgroundTasks`` for libraries that have none: a request-scoped list
    of callables, run after the handler by the request's teardown."""

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: list[tuple[Callable[..., Awaitable[Any]], tuple[Any, ...], dict[str, Any]]]
        self._tasks = []

    def add_task(self, func: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> None:
        self._tasks.append((func, args, kwargs))

    async def run(self) -> None:
        for func, args, kwargs in self._tasks:
            await func(*args, **kwargs)


# `yield_tasks` providers for the peers that take plain annotated factories and have no
# BackgroundTasks of their own (dishka, dependency-injector, that-depends): the tasks are
# a request-scoped `Tasks` whose generator runs them before the later teardowns.


def provide_conn() -> Iterator[Conn]:
    conn = Conn()
    try:
        yield conn
    finally:
        conn.close()


async def provide_session(conn: Conn) -> AsyncIterator[Session]:
    session = Session(conn)
    try:
        yield session
    finally:
        await session.aclose()


async def provide_tasks() -> AsyncIterator[Tasks]:
    tasks = Tasks()
    yield tasks
    await tasks.run()


def provide_audit(session: Session, tasks: Tasks) -> Audit:
    tasks.add_task(noop_task)
    return Audit(session)


@dataclasses.dataclass(eq=False)
class YieldShape:
    name: str = "yield_tasks"
    #: ``handler(audit, session, tasks)`` returns ``audit.value + session.value``.
    expected: int = 5

    @staticmethod
    def handler_result(audit: Audit, session: Session) -> int:
        if session.closed or session.conn.closed:
            raise SemanticError("yield_tasks: the handler got an already closed Session/Conn")
        return audit.value + session.value

    def reset(self) -> None:
        for field in dataclasses.fields(YieldCounters):
            setattr(YIELD, field.name, field.default)

    def check(self, requests: int, *, tasks_before_teardown: bool) -> None:
        want = {
            "conn_built": requests,
            "conn_closed": requests,
            "session_built": requests,
            "session_closed": requests,
            "audit_built": requests,
            "tasks_run": 2 * requests,
        }
        got = {key: getattr(YIELD, key) for key in want}
        if got != want:
            raise SemanticError(
                f"yield_tasks: after {requests} request(s) expected {want}, got {got}"
            )
        if tasks_before_teardown and YIELD.tasks_run_at_session_close != 2 * requests:
            raise SemanticError(
                "yield_tasks: the background tasks must run before the request's teardown "
                f"(tasks run when the Session closed: {YIELD.tasks_run_at_session_close}, "
                f"want {2 * requests})"
            )


# ---------------------------------------------------------------------------------------
# parallel_io
# ---------------------------------------------------------------------------------------

#: Each of the three independent dependencies of ``parallel_io`` awaits this long.
IO_DELAY = 0.02


class IoA:
    value = 1


class IoB:
    value = 1


class IoC:
    value = 1


def new_shape(key: str) -> Graph | YieldShape:
    """A fresh shape object (fresh classes and counters) for a timed shape."""
    if key == "single":
        return single()
    if key == "diamond10":
        return diamond()
    if key == "diamond10_sync":
        return diamond("diamond10_sync")
    if key == "singletons":
        return singletons()
    if key == "chain50":
        return chain(50)
    if key == "yield_tasks":
        return YieldShape()
    raise KeyError(key)
