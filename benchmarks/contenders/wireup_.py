"""wireup: ``@injectable`` classes and factories, a container, ``inject_from_container``.

Classes are marked ``injectable(lifetime="scoped")`` (request) or left as singletons (app),
the container is created (and validated) once, and the handler is decorated with
``wireup.inject_from_container(container)`` with ``Injected[T]`` parameters: called outside
a scope it enters one, resolves, calls and closes it -- one call is one request. wireup has
no background tasks: a scoped ``Tasks`` from a generator factory whose cleanup runs them
stands in.
"""

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import wireup
from wireup import Injected

from benchmarks.contenders import Case, Unsupported
from benchmarks.shapes import Audit, Conn, Graph, Session, Tasks, YieldShape, dense, noop_task

NAME = "wireup"
DISTRIBUTION = "wireup"
WIRING = (
    'Classes marked `wireup.injectable(cls, lifetime="scoped")` (app-scoped ones as '
    "singletons), one container created (and validated) up front, the handler decorated "
    "with `wireup.inject_from_container(container)` with `Injected[T]` parameters, which "
    "enters and closes a scope per call. No background tasks: a scoped `Tasks` from a "
    "generator factory whose cleanup runs them."
)


def _injectables(graph: Graph) -> list[Any]:
    return [
        wireup.injectable(cls, lifetime="singleton" if node in graph.app_nodes else "scoped")
        for node, cls in graph.classes.items()
    ]


def _handler(graph: Graph, *, is_async: bool) -> Callable[..., Any]:
    p = graph.param
    params = ", ".join(f"{p(r)}: Injected[{r}]" for r in graph.roots)
    source = (
        f"{'async ' if is_async else ''}def handler({params}) -> int:\n    return {graph.root_sum}"
    )
    handler: Callable[..., Any] = graph.compile(source, Injected=Injected)["handler"]
    return handler


def _graph_case(graph: Graph) -> Case:
    container = wireup.create_async_container(injectables=_injectables(graph))
    return Case(wireup.inject_from_container(container)(_handler(graph, is_async=True)))


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    container = wireup.create_sync_container(injectables=_injectables(graph))
    return Case(wireup.inject_from_container(container)(_handler(graph, is_async=False)))


_PROBE_SIZES = (40, 50, 60)
_probe: dict[int, float] = {}


def _too_slow(size: int) -> str | None:
    """Creating a wireup container for the dense graphs grows exponentially with depth;
    time a few small ones (once) and extrapolate instead of hanging the run."""
    if not _probe:
        for n in _PROBE_SIZES:
            injectables = _injectables(dense(n))
            start = time.perf_counter()
            wireup.create_async_container(injectables=injectables)
            _probe[n] = time.perf_counter() - start
    last, before = _probe[_PROBE_SIZES[-1]], _probe[_PROBE_SIZES[-2]]
    growth = max(last / before, 1.0)
    predicted = last * growth ** ((size - _PROBE_SIZES[-1]) / 10)
    if predicted < 60:
        return None
    probes = ", ".join(f"{n} nodes {t:.2f} s" for n, t in _probe.items())
    if predicted < 3600:
        estimate = f"about {predicted / 60:.0f} minutes"
    elif predicted < 86400:
        estimate = f"about {predicted / 3600:.0f} hours"
    else:
        estimate = "more than a day"
    return (
        f"not run: creating the container grows about {growth:.0f}x per layer of 10 "
        f"nodes ({probes}), so {size} nodes would take {estimate}"
    )


def build(graph: Graph) -> Callable[[], Awaitable[Any]]:
    if len(graph.deps) > _PROBE_SIZES[-1] and (reason := _too_slow(len(graph.deps))):
        raise Unsupported(reason)
    container = wireup.create_async_container(injectables=_injectables(graph))
    handler: Callable[[], Awaitable[Any]] = wireup.inject_from_container(container)(
        _handler(graph, is_async=True)
    )
    return handler


def yield_tasks(shape: YieldShape) -> Case:
    @wireup.injectable(lifetime="scoped")
    def get_conn() -> Iterator[Conn]:
        conn = Conn()
        try:
            yield conn
        finally:
            conn.close()

    @wireup.injectable(lifetime="scoped")
    async def get_session(conn: Conn) -> AsyncIterator[Session]:
        session = Session(conn)
        try:
            yield session
        finally:
            await session.aclose()

    @wireup.injectable(lifetime="scoped")
    async def get_tasks() -> AsyncIterator[Tasks]:
        tasks = Tasks()
        yield tasks
        await tasks.run()

    @wireup.injectable(lifetime="scoped")
    def get_audit(session: Session, tasks: Tasks) -> Audit:
        tasks.add_task(noop_task)
        return Audit(session)

    container = wireup.create_async_container(
        injectables=[get_conn, get_session, get_tasks, get_audit]
    )

    @wireup.inject_from_container(container)
    async def handler(
        audit: Injected[Audit], session: Injected[Session], tasks: Injected[Tasks]
    ) -> int:
        tasks.add_task(noop_task)
        return shape.handler_result(audit, session)

    return Case(handler, note="tasks run by the cleanup of a scoped `Tasks` generator factory.")
