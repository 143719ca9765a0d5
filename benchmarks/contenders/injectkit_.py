"""injectkit, used as its docs show: classes registered by type, ``@container.inject``.

A call of the injected handler with no request scope open opens one, resolves, calls,
runs the background tasks and closes the scope -- so one call is one request.
"""

import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio

import injectkit
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
from injectkit import BackgroundTasks, Container

NAME = "injectkit"
DISTRIBUTION = "injectkit"
WIRING = (
    "Classes registered with `container.register(cls, scope=...)`, generator providers with "
    "`@container.provider`, the handler decorated with `@container.inject`; one call of the "
    "injected handler opens and closes its own request scope. The real `BackgroundTasks`."
)


def version_detail() -> str:
    """``(git abc1234)`` when injectkit is imported from a git checkout, ``+ local changes``
    when that checkout's ``injectkit/`` differs from the commit."""
    root = Path(injectkit.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "injectkit"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"(git {commit}{' + local changes' if dirty else ''})"


def _container(graph: Graph, **options: Any) -> Container:
    container = Container(**options)
    for node, cls in graph.classes.items():
        container.register(cls, scope="app" if node in graph.app_nodes else "request")
    return container


def _handler(graph: Graph, *, is_async: bool) -> Callable[..., Any]:
    p = graph.param
    params = ", ".join(f"{p(r)}: {r}" for r in graph.roots)
    source = (
        f"{'async ' if is_async else ''}def handler({params}) -> int:\n    return {graph.root_sum}"
    )
    handler: Callable[..., Any] = graph.compile(source)["handler"]
    return handler


def _graph_case(graph: Graph) -> Case:
    return Case(_container(graph).inject(_handler(graph, is_async=True)))


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    return Case(_container(graph).inject(_handler(graph, is_async=False)))


def build(graph: Graph) -> Callable[[], Awaitable[Any]]:
    container = _container(graph)
    handler: Callable[[], Awaitable[Any]] = container.inject(_handler(graph, is_async=True))
    container.validate(handler)
    return handler


def yield_tasks(shape: YieldShape) -> Case:
    container = Container()

    @container.provider(scope="request")
    def get_conn() -> Iterator[Conn]:
        conn = Conn()
        try:
            yield conn
        finally:
            conn.close()

    @container.provider(scope="request")
    async def get_session(conn: Conn) -> AsyncIterator[Session]:
        session = Session(conn)
        try:
            yield session
        finally:
            await session.aclose()

    @container.provider(scope="request")
    def get_audit(session: Session, tasks: BackgroundTasks) -> Audit:
        tasks.add_task(noop_task)
        return Audit(session)

    @container.inject
    async def handler(audit: Audit, session: Session, tasks: BackgroundTasks) -> int:
        tasks.add_task(noop_task)
        return shape.handler_result(audit, session)

    return Case(handler, tasks_before_teardown=True)


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
    variants: dict[str, Case | str] = {}
    for label, options in (("default", {}), ("concurrent=True", {"concurrent": True})):
        try:
            container = Container(**options)
        except TypeError:
            variants[label] = "`Container(concurrent=True)` does not exist (yet)"
            continue
        container.register(IoA, _fetch_a)
        container.register(IoB, _fetch_b)
        container.register(IoC, _fetch_c)
        variants[label] = Case(container.inject(_io_handler))
    return variants
