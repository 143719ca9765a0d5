"""Streamed bodies from injected generators, on every adapter, through a real server.

The request scope (its session, its BackgroundTasks) stays open until the last chunk has
been sent; then the task runs, then the finalizers.  A client that hangs up mid-stream
still gets the generator closed and the finalizers run, with nothing left to the garbage
collector.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
import httpx
import pytest

from injectkit import BackgroundTasks, Container

from . import _scenarios as scenarios
from .conftest import TIMEOUT, Gate, Recorder, Session, make_container, serve_asgi, serve_in_thread

pytestmark = pytest.mark.anyio

CHUNKS = 3
STREAMED = [
    "session opened",
    "chunk 0",
    "chunk 1",
    "chunk 2",
    "stream finished",
    "task started",
    "task done",
    "session closed",
]


def async_chunks(container: Container, recorder: Recorder) -> Callable[..., AsyncIterator[bytes]]:
    """An injected async generator over the request's session; ``hang`` stops after one."""

    @container.inject
    async def chunks(session: Session, tasks: BackgroundTasks, hang: bool = False) -> Any:
        try:
            for i in range(CHUNKS):
                recorder(f"chunk {i}")
                yield f"chunk {i}\n".encode()
                if hang:
                    await anyio.sleep_forever()  # the client leaves here
            recorder("stream finished")
        finally:
            if hang:
                recorder("stream closed")

    return chunks


def sync_chunks(container: Container, recorder: Recorder) -> Callable[..., Iterator[bytes]]:
    """The sync twin of :func:`async_chunks` (``hang`` waits at ``gate``)."""

    @container.inject
    def chunks(session: Session, tasks: BackgroundTasks) -> Any:
        for i in range(CHUNKS):
            recorder(f"chunk {i}")
            yield f"chunk {i}\n".encode()
        recorder("stream finished")

    return chunks


def session_container(recorder: Recorder) -> Container:
    """Session, as in conftest.make_container, for frameworks whose request has no
    ``query_params``."""
    container = Container()

    def session() -> Iterator[Session]:
        recorder("session opened")
        try:
            yield Session()
        except BaseException as exc:
            recorder(f"session closed after {type(exc).__name__}")
            raise
        recorder("session closed")

    container.register(Session, session)
    return container


BODY = b"".join(f"chunk {i}\n".encode() for i in range(CHUNKS))


async def all_chunks_then_task_then_finalizer(
    url: str, recorder: Recorder, gate: Gate, path: str = "/stream"
) -> None:
    """GET ``path``: the whole body arrives while the task blocks; then task, finalizer."""
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.content == BODY
        await recorder.await_for("task started")
        assert "session closed" not in recorder.events
        gate.open()
        events = await recorder.await_for("session closed")
    assert [e for e in events if e != "settings closed"] == STREAMED


async def hang_up_mid_stream(url: str, recorder: Recorder, path: str = "/hang") -> list[str]:
    """GET ``path`` on a raw socket, read the first chunk, hang up; the events until the
    session closed (after anything)."""
    host, port = url.removeprefix("http://").split(":")
    async with await anyio.connect_tcp(host, int(port)) as sock:
        await sock.send(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        received = b""
        with anyio.fail_after(TIMEOUT):
            while b"chunk 0" not in received:
                received += await sock.receive()
    assert received.startswith(b"HTTP/1.1 200")
    await recorder.await_for("stream closed")
    with anyio.fail_after(TIMEOUT):
        while not any(e.startswith("session closed") for e in recorder.events):
            await anyio.sleep(0.01)
    events = recorder.events
    assert events.index("stream closed") < next(
        i for i, e in enumerate(events) if e.startswith("session closed")
    )
    assert "task started" not in events
    return events


# --- Starlette -------------------------------------------------------------------------------


def starlette_app(recorder: Recorder, gate: Gate) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import HTTPConnection
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    from injectkit.integrations.starlette import inject, setup

    container = make_container(recorder, HTTPConnection)
    chunks = async_chunks(container, recorder)
    task = scenarios.blocking_task(recorder, gate)

    @inject
    async def stream(tasks: BackgroundTasks) -> StreamingResponse:
        tasks.add_task(task, "task")
        return StreamingResponse(chunks())

    @inject
    async def hang() -> StreamingResponse:
        return StreamingResponse(chunks(hang=True))

    app = Starlette(routes=[Route("/stream", stream), Route("/hang", hang)])
    setup(app, container)
    return app


# --- FastAPI ---------------------------------------------------------------------------------


def fastapi_app(recorder: Recorder, gate: Gate) -> Any:
    import fastapi
    from starlette.requests import HTTPConnection
    from starlette.responses import StreamingResponse

    from injectkit.integrations.fastapi import inject, setup

    container = make_container(recorder, HTTPConnection)
    chunks = async_chunks(container, recorder)
    task = scenarios.blocking_task(recorder, gate)
    app = fastapi.FastAPI()

    @app.get("/stream")
    @inject
    async def stream(tasks: BackgroundTasks) -> StreamingResponse:
        tasks.add_task(task, "task")
        return StreamingResponse(chunks())

    @app.get("/hang")
    @inject
    async def hang() -> StreamingResponse:
        return StreamingResponse(chunks(hang=True))

    setup(app, container)
    return app


# --- Litestar --------------------------------------------------------------------------------


def litestar_app(recorder: Recorder, gate: Gate) -> Any:
    from litestar import Litestar, get
    from litestar.connection import ASGIConnection
    from litestar.response import Stream

    from injectkit.integrations.litestar import InjectKitPlugin, inject

    container = make_container(recorder, ASGIConnection)
    chunks = async_chunks(container, recorder)
    task = scenarios.blocking_task(recorder, gate)

    @get("/stream")
    @inject
    async def stream(tasks: BackgroundTasks) -> Stream:
        tasks.add_task(task, "task")
        return Stream(chunks())

    @get("/hang")
    @inject
    async def hang() -> Stream:
        return Stream(chunks(hang=True))

    return Litestar([stream, hang], plugins=[InjectKitPlugin(container)])


ASGI_APPS = pytest.mark.parametrize(
    "make_app", [starlette_app, fastapi_app, litestar_app], ids=["starlette", "fastapi", "litestar"]
)


@ASGI_APPS
async def test_asgi_streams_every_chunk_before_task_and_finalizer(
    recorder: Recorder, gate: Gate, make_app: Callable[[Recorder, Gate], Any]
) -> None:
    """A streamed response of an injected generator (Starlette, FastAPI, Litestar):
    every chunk, then the task, then the finalizer."""
    with serve_asgi(make_app(recorder, gate)) as url:
        await all_chunks_then_task_then_finalizer(url, recorder, gate)


@ASGI_APPS
async def test_asgi_client_gone_mid_stream_closes_generator_then_finalizers(
    recorder: Recorder, gate: Gate, make_app: Callable[[Recorder, Gate], Any]
) -> None:
    """A client hanging up mid-stream: the generator is closed, then the finalizers run."""
    with serve_asgi(make_app(recorder, gate)) as url:
        await hang_up_mid_stream(url, recorder)


# --- aiohttp ---------------------------------------------------------------------------------


def aiohttp_app(recorder: Recorder, gate: Gate) -> Any:
    from aiohttp import web

    from injectkit.integrations.aiohttp import inject, setup

    container = session_container(recorder)
    chunks = async_chunks(container, recorder)
    task = scenarios.blocking_task(recorder, gate)

    async def write(request: web.Request, body: AsyncIterator[bytes]) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        async for chunk in body:
            await response.write(chunk)
        await response.write_eof()
        return response

    @inject
    async def stream(request: web.Request, tasks: BackgroundTasks) -> web.StreamResponse:
        tasks.add_task(task, "task")
        return await write(request, chunks())

    @inject
    async def hang(request: web.Request) -> web.StreamResponse:
        return await write(request, chunks(hang=True))

    app = web.Application(handler_args={"handler_cancellation": True})
    app.router.add_get("/stream", stream)
    app.router.add_get("/hang", hang)
    setup(app, container)
    return app


@asynccontextmanager
async def aiohttp_running(app: Any) -> AsyncIterator[str]:
    from aiohttp import web

    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_aiohttp_streams_every_chunk_before_task_and_finalizer(
    recorder: Recorder, gate: Gate, anyio_backend: str
) -> None:
    """aiohttp StreamResponse written from an injected generator: chunks, task, finalizer."""
    async with aiohttp_running(aiohttp_app(recorder, gate)) as url:
        await all_chunks_then_task_then_finalizer(url, recorder, gate)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_aiohttp_client_gone_mid_stream_closes_generator_then_finalizers(
    recorder: Recorder, gate: Gate, anyio_backend: str
) -> None:
    """aiohttp: a client hanging up mid-stream closes the generator, then finalizers."""
    async with aiohttp_running(aiohttp_app(recorder, gate)) as url:
        await hang_up_mid_stream(url, recorder)


# --- Flask -----------------------------------------------------------------------------------


@contextmanager
def flask_running(recorder: Recorder, gate: Gate) -> Iterator[str]:
    import flask
    from werkzeug.serving import make_server

    from injectkit.integrations.flask import inject, setup

    container = session_container(recorder)
    chunks = sync_chunks(container, recorder)
    task = scenarios.blocking_task(recorder, gate)
    app = flask.Flask(__name__)

    @app.get("/stream")
    @inject
    def stream(tasks: BackgroundTasks) -> flask.Response:
        tasks.add_task(task, "task")
        return flask.Response(chunks())

    @app.get("/view")
    @inject
    def view(session: Session, tasks: BackgroundTasks) -> Iterator[bytes]:
        """The view itself an injected generator: Flask streams what it yields."""
        tasks.add_task(task, "task")
        yield from chunks()

    setup(app, container, close_at_exit=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    try:
        with serve_in_thread(
            lambda: server.serve_forever(poll_interval=0.05), server.shutdown, lambda: True
        ):
            yield f"http://127.0.0.1:{server.port}"
    finally:
        server.server_close()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("path", ["/stream", "/view"])
async def test_flask_streams_every_chunk_before_task_and_finalizer(
    recorder: Recorder, gate: Gate, anyio_backend: str, path: str
) -> None:
    """Flask: a Response of an injected generator, or a generator view: chunks, task, finalizer."""
    with flask_running(recorder, gate) as url:
        await all_chunks_then_task_then_finalizer(url, recorder, gate, path)
