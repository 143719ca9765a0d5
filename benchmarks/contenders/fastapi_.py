"""FastAPI's own dependency resolution, without HTTP.

A request does what ``fastapi.routing`` does around an endpoint, minus reading the body
and rendering the response: a starlette ``Request`` over a minimal HTTP scope, the two
``AsyncExitStack`` s FastAPI keeps in the scope (``fastapi_inner_astack`` for request-scoped
teardown, ``fastapi_function_astack`` for function-scoped), ``solve_dependencies`` on the
``Dependant`` made once by ``get_dependant``, the endpoint call, then the real starlette
``BackgroundTasks`` (run where the response would run them: after the function stack closes,
before the request stack does).

Dependencies are ``async def`` functions with ``Annotated[T, Depends(get_t)]`` parameters
(FastAPI runs a plain ``def`` dependency in a worker thread, so async is what its docs steer
non-blocking code to); the sync generator of ``yield_tasks`` stays sync, as the shape
demands, and FastAPI runs it in the thread pool.
"""

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends
from fastapi.dependencies.utils import get_dependant, solve_dependencies
from starlette.requests import Request

from benchmarks.contenders import Case, Unsupported
from benchmarks.shapes import Audit, Conn, Graph, Session, YieldShape, noop_task

NAME = "FastAPI"
DISTRIBUTION = "fastapi"
WIRING = (
    "`async def` dependency functions with `Annotated[T, Depends(f)]`; per request a "
    "starlette `Request`, FastAPI's two exit stacks, `solve_dependencies` on a `Dependant` "
    "built once with `get_dependant`, the endpoint call, then starlette's `BackgroundTasks` "
    "-- what `fastapi.routing` does, minus body parsing and response rendering. No app scope: "
    "app-scoped services are prebuilt objects returned by dependency functions."
)

_SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/",
    "raw_path": b"/",
    "root_path": "",
    "query_string": b"",
    "headers": [],
    "path_params": {},
}


def _endpoint(handler: Callable[..., Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
    """One FastAPI request around ``handler``, as ``fastapi.routing`` runs it."""
    dependant = get_dependant(path="/", call=handler, scope="function")
    if not inspect.iscoroutinefunction(handler):
        raise TypeError("the FastAPI contender expects async endpoints")

    async def request() -> Any:
        scope = dict(_SCOPE)
        request = Request(scope)
        async with AsyncExitStack() as request_stack:
            scope["fastapi_inner_astack"] = request_stack
            async with AsyncExitStack() as function_stack:
                scope["fastapi_function_astack"] = function_stack
                solved = await solve_dependencies(
                    request=request,
                    dependant=dependant,
                    async_exit_stack=request_stack,
                    embed_body_fields=False,
                )
                if solved.errors:
                    raise RuntimeError(f"FastAPI reported errors: {solved.errors}")
                result = await handler(**solved.values)
            if solved.background_tasks is not None:
                await solved.background_tasks()
        return result

    return request


def _graph_source(graph: Graph) -> str:
    p = graph.param
    lines = []
    for node in graph.app_nodes_in_order:
        lines += [
            f"_{p(node)} = {node}()",
            f"async def get_{p(node)}() -> {node}:",
            f"    return _{p(node)}",
        ]
    for node in graph.request_nodes:
        params = ", ".join(f"{p(d)}: Annotated[{d}, Depends(get_{p(d)})]" for d in graph.deps[node])
        args = ", ".join(p(d) for d in graph.deps[node])
        lines += [f"async def get_{p(node)}({params}) -> {node}:", f"    return {node}({args})"]
    roots = ", ".join(f"{p(r)}: Annotated[{r}, Depends(get_{p(r)})]" for r in graph.roots)
    lines += [f"async def handler({roots}) -> int:", f"    return {graph.root_sum}"]
    return "\n".join(lines)


def _graph_case(graph: Graph) -> Case:
    ns = graph.compile(_graph_source(graph), Annotated=Annotated, Depends=Depends)
    return Case(_endpoint(ns["handler"]))


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    raise Unsupported("FastAPI resolves dependencies only in async code (`solve_dependencies`)")


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

    async def get_audit(
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

    return Case(
        _endpoint(handler),
        tasks_before_teardown=True,
        note="FastAPI runs the sync generator dependency (Conn) in its thread pool.",
    )
