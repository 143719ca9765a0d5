"""The floor: what a request costs with the wiring written out by hand.

Plain constructor calls in dependency order, each object built once and passed where it
is needed; app-scoped objects built once at start-up; an ``AsyncExitStack`` only where
something must be torn down. The graph-shaped requests are generated from the shape's spec
as straight-line code -- exactly what one would type for ``diamond10``::

    async def request():
        n0 = N0()
        n1 = N1()
        n2 = N2(n0, n1)
        ...
        return await handler(n8, n9)
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import anyio

from benchmarks.contenders import Case
from benchmarks.shapes import (
    IO_DELAY,
    Audit,
    Conn,
    Graph,
    IoA,
    IoB,
    IoC,
    Session,
    YieldShape,
    noop_task,
)

NAME = "hand-written"
DISTRIBUTION = None
WIRING = (
    "Plain constructor calls in dependency order; app-scoped objects built at start-up; "
    "an AsyncExitStack only for teardown; a list of callables as the task list."
)


def _graph_case(graph: Graph, *, is_async: bool) -> Case:
    p = graph.param
    app = [
        f"{p(n)} = {n}({', '.join(p(d) for d in graph.deps[n])})" for n in graph.app_nodes_in_order
    ]
    body = [
        f"    {p(n)} = {n}({', '.join(p(d) for d in graph.deps[n])})" for n in graph.request_nodes
    ]
    roots = ", ".join(p(r) for r in graph.roots)
    params = ", ".join(f"{p(r)}: {r}" for r in graph.roots)
    async_, await_ = ("async ", "await ") if is_async else ("", "")
    source = "\n".join(
        [
            *app,
            f"{async_}def handler({params}) -> int:",
            f"    return {graph.root_sum}",
            f"{async_}def request() -> int:",
            *body,
            f"    return {await_}handler({roots})",
        ]
    )
    return Case(graph.compile(source)["request"])


def single(graph: Graph) -> Case:
    return _graph_case(graph, is_async=True)


def diamond10(graph: Graph) -> Case:
    return _graph_case(graph, is_async=True)


def singletons(graph: Graph) -> Case:
    return _graph_case(graph, is_async=True)


def chain50(graph: Graph) -> Case:
    return _graph_case(graph, is_async=True)


def diamond10_sync(graph: Graph) -> Case:
    return _graph_case(graph, is_async=False)


def yield_tasks(shape: YieldShape) -> Case:
    def make_audit(session: Session, tasks: list[Any]) -> Audit:
        tasks.append(noop_task)
        return Audit(session)

    async def handler(audit: Audit, session: Session, tasks: list[Any]) -> int:
        tasks.append(noop_task)
        return shape.handler_result(audit, session)

    async def request() -> int:
        async with AsyncExitStack() as stack:
            conn = Conn()
            stack.callback(conn.close)
            session = Session(conn)
            stack.push_async_callback(session.aclose)
            tasks: list[Any] = []
            audit = make_audit(session, tasks)
            result = await handler(audit, session, tasks)
            for task in tasks:
                await task()
        return result

    return Case(
        request, tasks_before_teardown=True, note="a plain list of callables as the task list"
    )


async def _fetch_a() -> IoA:
    await anyio.sleep(IO_DELAY)
    return IoA()


async def _fetch_b() -> IoB:
    await anyio.sleep(IO_DELAY)
    return IoB()


async def _fetch_c() -> IoC:
    await anyio.sleep(IO_DELAY)
    return IoC()


async def _io_handler(a: IoA, b: IoB, c: IoC) -> int:
    return a.value + b.value + c.value


def parallel_io() -> dict[str, Case | str]:
    async def sequential() -> int:
        return await _io_handler(await _fetch_a(), await _fetch_b(), await _fetch_c())

    async def task_group() -> int:
        results: dict[str, Any] = {}

        async def fetch(key: str, func: Any) -> None:
            results[key] = await func()

        async with anyio.create_task_group() as tg:
            tg.start_soon(fetch, "a", _fetch_a)
            tg.start_soon(fetch, "b", _fetch_b)
            tg.start_soon(fetch, "c", _fetch_c)
        return await _io_handler(results["a"], results["b"], results["c"])

    return {"sequential": Case(sequential), "task group": Case(task_group)}
