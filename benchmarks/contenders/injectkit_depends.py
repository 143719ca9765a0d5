"""injectkit with FastAPI-style markers instead of registrations.

The same graphs as the FastAPI and FastDepends contenders -- one dependency function per
node, parameters ``Annotated[T, Depends(get_t)]`` -- on an empty ``Container``; app-scoped
services are ``Depends(get_s, scope="app")``. Plain ``def`` functions, which injectkit runs
inline. Shows what the marker path costs next to the registered-type path.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

from benchmarks.contenders import Case
from benchmarks.contenders.injectkit_ import version_detail as version_detail
from benchmarks.shapes import Audit, Conn, Graph, Session, YieldShape, noop_task
from injectkit import BackgroundTasks, Container, Depends

NAME = "injectkit (Depends)"
DISTRIBUTION = "injectkit"
WIRING = (
    "No registrations: one plain `def` dependency function per node with "
    '`Annotated[T, Depends(get_t)]` parameters (app-scoped ones `Depends(get_s, scope="app")`), '
    "the handler decorated with `@container.inject` -- the FastAPI-style spelling."
)


def _source(graph: Graph, *, is_async: bool) -> str:
    p = graph.param

    def marker(node: str) -> str:
        scope = ', scope="app"' if node in graph.app_nodes else ""
        return f"Annotated[{node}, Depends(get_{p(node)}{scope})]"

    lines = []
    for node, deps in graph.deps.items():
        params = ", ".join(f"{p(d)}: {marker(d)}" for d in deps)
        args = ", ".join(p(d) for d in deps)
        lines += [f"def get_{p(node)}({params}) -> {node}:", f"    return {node}({args})"]
    roots = ", ".join(f"{p(r)}: {marker(r)}" for r in graph.roots)
    async_ = "async " if is_async else ""
    lines += [f"{async_}def handler({roots}) -> int:", f"    return {graph.root_sum}"]
    return "\n".join(lines)


def _case(graph: Graph, *, is_async: bool = True) -> Case:
    ns = graph.compile(_source(graph, is_async=is_async), Annotated=Annotated, Depends=Depends)
    handler: Callable[..., Any] = ns["handler"]
    return Case(Container().inject(handler))


single = diamond10 = singletons = chain50 = _case


def diamond10_sync(graph: Graph) -> Case:
    return _case(graph, is_async=False)


def yield_tasks(shape: YieldShape) -> Case:
    def get_conn() -> Iterator[Conn]:
        conn = Conn()
        try:
            yield conn
        finally:
            conn.close()

    async def get_session(conn: Annotated[Conn, Depends(get_conn)]) -> AsyncIterator[Session]:
        session = Session(conn)
        try:
            yield session
        finally:
            await session.aclose()

    def get_audit(
        session: Annotated[Session, Depends(get_session)], tasks: BackgroundTasks
    ) -> Audit:
        tasks.add_task(noop_task)
        return Audit(session)

    async def handler(
        audit: Annotated[Audit, Depends(get_audit)],
        session: Annotated[Session, Depends(get_session)],
        tasks: BackgroundTasks,
    ) -> int:
        tasks.add_task(noop_task)
        return shape.handler_result(audit, session)

    return Case(Container().inject(handler), tasks_before_teardown=True)
