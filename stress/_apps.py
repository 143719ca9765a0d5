"""The endpoints the load and disconnect scripts hit, wired by injectkit and by hand.

One graph, written once as plain functions:

- ``session(id)``: an async generator provider (awaits before and after its ``yield``);
- ``unit(session)``: a sync generator provider;
- ``dep(tasks, unit, id)``: a sub-dependency that queues the async task ``task_dep``;
- the handler body (:func:`respond`) queues the sync task ``task_handler``.

Each step records the request id it was given into :data:`LEDGER` and checks that the
values it received belong to that request (``leak:*`` otherwise).  ``wiring="injectkit"``
lets the Starlette or FastAPI adapter run the graph; ``wiring="hand"`` runs the same
functions by hand in the endpoint, with Starlette's own ``BackgroundTasks`` on the
response and the finalizers as its last task (try/finally on error): the baseline.

Routes: ``/work?id=`` (the graph), ``/slow?id=&delay=`` (the handler awaits before
answering), ``/upload?id=`` (the handler reads the request body), ``/stream?id=&chunks=``
(a streamed body, a chunk every few milliseconds), ``/stats`` (the ledger's snapshot
and the process's resident memory).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Annotated, Any, Protocol

import anyio
from starlette.background import BackgroundTasks as StarletteTasks
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

import injectkit
from injectkit import Container, Depends
from injectkit.integrations.fastapi import FromContainer

from ._ledger import Ledger

LEDGER = Ledger()
FRAMEWORKS = ("starlette", "fastapi")
WIRINGS = ("injectkit", "hand")
METHODS = ["GET", "POST"]  # /upload is a POST with a body; the others are GETs


class Session:
    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.closed = False


class Unit:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.closed = False


class Tasks(Protocol):
    """injectkit's and Starlette's BackgroundTasks both fit."""

    def add_task(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None: ...


def check(request_id: str, owner: str, where: str) -> None:
    """Record a leak when a value's owner is not the request that uses it."""
    if owner != request_id:
        LEDGER.record(request_id, f"leak:{where}")


async def session(id: str) -> AsyncIterator[Session]:
    await anyio.sleep(0)
    value = Session(id)
    LEDGER.record(id, "open:session")
    try:
        yield value
    finally:
        LEDGER.record(id, "closing:session")
        await anyio.sleep(0)  # a finalizer that awaits: it must still run to the end
        value.closed = True
        LEDGER.record(value.request_id, "closed:session")


def unit(session: Session) -> Iterator[Unit]:
    value = Unit(session)
    LEDGER.record(session.request_id, "open:unit")
    try:
        yield value
    finally:
        value.closed = True
        LEDGER.record(session.request_id, "closed:unit")


async def task_dep(unit: Unit, id: str) -> None:
    await anyio.sleep(0)
    check(id, unit.session.request_id, "task_dep")
    if unit.closed:  # a task runs before the finalizers
        LEDGER.record(id, "leak:task_dep after finalizer")
    LEDGER.record(id, "task:dep")


def task_handler(session: Session, id: str) -> None:
    check(id, session.request_id, "task_handler")
    if session.closed:
        LEDGER.record(id, "leak:task_handler after finalizer")
    LEDGER.record(id, "task:handler")


def dep(tasks: injectkit.BackgroundTasks, unit: Unit, id: str) -> Unit:
    check(id, unit.session.request_id, "dep")
    tasks.add_task(task_dep, unit, id)
    LEDGER.record(id, "dep")
    return unit


def respond(id: str, tasks: Tasks, unit: Unit, session: Session) -> dict[str, str]:
    if unit.session is not session:
        LEDGER.record(id, "leak:handler unit")
    check(id, session.request_id, "handler")
    tasks.add_task(task_handler, session, id)
    LEDGER.record(id, "handler")
    return {"id": session.request_id}


def chunks_of(request_id: str, count: int) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        for n in range(count):
            yield f"{request_id} chunk {n}\n".encode()
            await anyio.sleep(0.005)

    return chunks()


def process_status() -> dict[str, int]:
    """This process's resident set size (``VmRSS``, KiB) and ``Threads``; {} off Linux."""
    found: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "Threads"):
                    found[name] = int(value.split()[0])
    except OSError:  # pragma: no cover - not Linux
        pass
    return found


async def stats(request: Request) -> Response:
    """The ledger and the memory after a collection: leaks survive gc, cycles do not."""
    gc.collect()
    status = process_status()
    return JSONResponse(
        {
            "ledger": LEDGER.snapshot(),
            "rss_kib": status.get("VmRSS"),
            "threads": status.get("Threads"),
        }
    )


# --- injectkit's wiring ---------------------------------------------------------------------


def make_container() -> Container:
    container = Container()
    container.register(Session, session)
    container.register(Unit, unit)
    return container


async def handler_work(
    id: str,
    tasks: injectkit.BackgroundTasks,
    unit: Annotated[Unit, Depends(dep)],
    session: FromContainer[Session],
) -> dict[str, str]:
    return respond(id, tasks, unit, session)


async def handler_slow(
    id: str,
    delay: float,
    tasks: injectkit.BackgroundTasks,
    unit: Annotated[Unit, Depends(dep)],
    session: FromContainer[Session],
) -> dict[str, str]:
    body = respond(id, tasks, unit, session)
    await anyio.sleep(delay)
    return body


async def handler_upload(
    id: str,
    request: Request,
    tasks: injectkit.BackgroundTasks,
    unit: Annotated[Unit, Depends(dep)],
    session: FromContainer[Session],
) -> dict[str, str]:
    body = respond(id, tasks, unit, session)
    await request.body()  # a client that leaves mid-body makes this raise
    return body


async def handler_stream(
    id: str,
    chunks: int,
    tasks: injectkit.BackgroundTasks,
    unit: Annotated[Unit, Depends(dep)],
    session: FromContainer[Session],
) -> Response:
    respond(id, tasks, unit, session)
    return StreamingResponse(chunks_of(id, chunks), media_type="text/plain")


HANDLERS: dict[str, Callable[..., Awaitable[Any]]] = {
    "/work": handler_work,
    "/slow": handler_slow,
    "/upload": handler_upload,
    "/stream": handler_stream,
}


def injectkit_starlette() -> Any:
    from starlette.applications import Starlette

    from injectkit.integrations.starlette import inject, setup

    routes = [Route(path, inject(h), methods=METHODS) for path, h in HANDLERS.items()]
    app = Starlette(routes=[*routes, Route("/stats", stats)])
    setup(app, make_container())
    return app


def injectkit_fastapi() -> Any:
    from fastapi import FastAPI

    from injectkit.integrations.fastapi import inject, setup

    app = FastAPI()
    for path, handler in HANDLERS.items():
        app.api_route(path, methods=METHODS)(inject(handler))
    app.add_route("/stats", stats)
    setup(app, make_container())
    return app


# --- the same graph by hand: Starlette's BackgroundTasks and try/finally -----------------------


class ByHand:
    """Open the graph's values for one request; close them after the response's tasks."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.tasks = StarletteTasks()
        self._session_gen = session(request_id)
        self._unit_gen: Iterator[Unit] | None = None

    async def open(self) -> tuple[Unit, Session]:
        value = await anext(self._session_gen)
        try:
            self._unit_gen = unit(value)
            return dep(self.tasks, next(self._unit_gen), self.request_id), value  # type: ignore[arg-type]
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        try:
            if self._unit_gen is not None:
                next(self._unit_gen, None)
        finally:
            await anext(self._session_gen, None)

    def response(self, response: Response) -> Response:
        """``response`` with the tasks, then the finalizers, as its background."""
        self.tasks.add_task(self.close)
        response.background = self.tasks
        return response


async def hand_endpoint(request: Request) -> Response:
    query = request.query_params
    request_id = query["id"]
    graph = ByHand(request_id)
    unit_value, session_value = await graph.open()
    try:
        body = respond(request_id, graph.tasks, unit_value, session_value)
        path = request.url.path
        if path == "/slow":
            await anyio.sleep(float(query["delay"]))
        elif path == "/upload":
            await request.body()
        elif path == "/stream":
            stream = StreamingResponse(
                chunks_of(request_id, int(query["chunks"])), media_type="text/plain"
            )
            return graph.response(stream)
    except BaseException:
        await graph.close()
        raise
    return graph.response(JSONResponse(body))


def hand_starlette() -> Any:
    from starlette.applications import Starlette

    routes = [Route(path, hand_endpoint, methods=METHODS) for path in HANDLERS]
    return Starlette(routes=[*routes, Route("/stats", stats)])


def hand_fastapi() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    # ``id`` declared as the injectkit routes declare it: FastAPI reads and checks it.
    async def route(request: Request, id: str) -> Response:
        return await hand_endpoint(request)

    for path in HANDLERS:
        app.api_route(path, methods=METHODS)(route)
    app.add_route("/stats", stats)
    return app


APPS: dict[tuple[str, str], Callable[[], Any]] = {
    ("starlette", "injectkit"): injectkit_starlette,
    ("fastapi", "injectkit"): injectkit_fastapi,
    ("starlette", "hand"): hand_starlette,
    ("fastapi", "hand"): hand_fastapi,
}
