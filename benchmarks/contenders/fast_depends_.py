"""FastDepends: FastAPI's dependency model without HTTP, with ``@inject`` as the entry point.

Each ``@inject``-ed call is one request: its own dependency cache and exit stack. The
decorator is used with its defaults (``cast=True``: arguments and the return value go
through the pydantic serializer), as the FastDepends docs show it. As with FastAPI, plain
``def`` dependencies run in a worker thread in async code, so the dependency functions are
``async def`` -- except the sync generator of ``yield_tasks``, which the shape requires.
FastDepends has no background tasks: a request-scoped ``Tasks`` list from a generator
dependency whose teardown runs the tasks stands in.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fast_depends import Depends, inject

from benchmarks.contenders import Case
from benchmarks.shapes import Audit, Conn, Graph, Session, Tasks, YieldShape, noop_task

NAME = "FastDepends"
DISTRIBUTION = "fast-depends"
WIRING = (
    "`@inject` (default options, pydantic casting on) on a handler whose parameters are "
    "`Annotated[T, Depends(f)]`; `async def` dependency functions in async shapes, `def` in "
    "the sync one. No app scope: prebuilt objects returned by dependency functions. No "
    "background tasks: a `Tasks` list from a generator dependency whose teardown runs them."
)


def _graph_source(graph: Graph, *, is_async: bool) -> str:
    p = graph.param
    async_ = "async " if is_async else ""
    lines = []
    for node in graph.app_nodes_in_order:
        lines += [
            f"_{p(node)} = {node}()",
            f"{async_}def get_{p(node)}() -> {node}:",
            f"    return _{p(node)}",
        ]
    for node in graph.request_nodes:
        params = ", ".join(f"{p(d)}: Annotated[{d}, Depends(get_{p(d)})]" for d in graph.deps[node])
        args = ", ".join(p(d) for d in graph.deps[node])
        lines += [f"{async_}def get_{p(node)}({params}) -> {node}:", f"    return {node}({args})"]
    roots = ", ".join(f"{p(r)}: Annotated[{r}, Depends(get_{p(r)})]" for r in graph.roots)
    lines += ["@inject", f"{async_}def handler({roots}) -> int:", f"    return {graph.root_sum}"]
    return "\n".join(lines)


def _graph_case(graph: Graph, *, is_async: bool = True) -> Case:
    ns = graph.compile(
        _graph_source(graph, is_async=is_async), Annotated=Annotated, Depends=Depends, inject=inject
    )
    return Case(ns["handler"])


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    return _graph_case(graph, is_async=False)


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

    async def get_tasks() -> AsyncIterator[Tasks]:
        tasks = Tasks()
        yield tasks
        await tasks.run()

    async def get_audit(
        session: Annotated[Session, Depends(get_session)],
        tasks: Annotated[Tasks, Depends(get_tasks)],
    ) -> Audit:
        tasks.add_task(noop_task)
        return Audit(session)

    @inject
    async def handler(
        audit: Annotated[Audit, Depends(get_audit)],
        session: Annotated[Session, Depends(get_session)],
        tasks: Annotated[Tasks, Depends(get_tasks)],
    ) -> int:
        tasks.add_task(noop_task)
        return shape.handler_result(audit, session)

    return Case(
        handler,
        note="FastDepends runs the sync generator dependency (Conn) in a worker thread; "
        "tasks run by the teardown of a `Tasks` generator dependency.",
    )
