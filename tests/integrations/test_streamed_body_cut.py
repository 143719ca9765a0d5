"""A client that cuts a streamed body short, through a real uvicorn server.

What the docs promise: the request scope closes when the app has finished with the
connection.  When the client leaves mid-stream, Starlette stops the stream and the app
returns normally, so the background tasks still run (as Starlette's own ``background=``
does), then the finalizers.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from injectkit import BackgroundTasks, Container
from stress.disconnect import cut

from .conftest import TIMEOUT, Recorder, Session, serve_asgi

CHUNKS = 1000  # 10 s at most if the cut were not seen: the test then fails, it never hangs


def make_stream(recorder: Recorder) -> Callable[..., Any]:
    async def stream(tasks: BackgroundTasks, session: Session) -> StreamingResponse:
        tasks.add_task(recorder, "injectkit task ran")

        async def body() -> AsyncIterator[bytes]:
            for _ in range(CHUNKS):
                yield b"chunk\n"
                await anyio.sleep(0.01)
            recorder("stream finished")

        return StreamingResponse(
            body(), background=BackgroundTask(recorder, "starlette background ran")
        )

    return stream


def make_container(recorder: Recorder) -> Container:
    container = Container()

    async def session() -> AsyncIterator[Session]:
        recorder("session opened")
        yield Session()
        await anyio.sleep(0)
        recorder("session closed")

    container.register(Session, session)
    return container


def starlette_app(recorder: Recorder) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from injectkit.integrations.starlette import inject, setup

    app = Starlette(routes=[Route("/stream", inject(make_stream(recorder)))])
    setup(app, make_container(recorder))
    return app


def fastapi_app(recorder: Recorder) -> Any:
    from fastapi import FastAPI

    from injectkit.integrations.fastapi import FromContainer, inject, setup

    stream = make_stream(recorder)

    async def route(tasks: BackgroundTasks, session: FromContainer[Session]) -> Any:
        return await stream(tasks, session)

    app = FastAPI()
    app.get("/stream")(inject(route))
    setup(app, make_container(recorder))
    return app


@pytest.mark.parametrize("how", ["fin", "rst"])
@pytest.mark.parametrize("make_app", [starlette_app, fastapi_app], ids=["starlette", "fastapi"])
def test_a_streamed_body_cut_short_still_runs_the_tasks_then_the_finalizers(
    recorder: Recorder, make_app: Callable[[Recorder], Any], how: str
) -> None:
    """Client leaves mid-stream (FIN/RST): tasks run, as with background=, then finalizers."""
    with serve_asgi(make_app(recorder)) as url:
        port = int(url.rsplit(":", 1)[1])
        sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        try:
            sock.sendall(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
            received = b""
            while b"chunk" not in received:
                data = sock.recv(65536)
                assert data, received
                received += data
        finally:
            cut(sock, how)
        events = recorder.wait_for("session closed")
    assert received.startswith(b"HTTP/1.1 200")
    assert "stream finished" not in events  # the body really was cut short
    assert events == [
        "session opened",
        "starlette background ran",
        "injectkit task ran",
        "session closed",
    ]
