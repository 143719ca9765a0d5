"""Server shutdown with requests still running their tasks: no task is lost silently.

A real uvicorn serves a Starlette app; requests return while their background tasks
hang; then the server is told to exit (what uvicorn does on SIGTERM).  Every task must
either have run or be named on the ``injectkit`` logger, and request finalizers must
have run before the app scope closed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import BackgroundTasks, Container
from injectkit.integrations.starlette import inject, setup

from .conftest import TIMEOUT, Recorder, Session, Settings, serve_asgi

pytestmark = pytest.mark.anyio

REQUESTS = 3
TASKS = ("quick_task", "hung_task", "blocked_sync_task", "last_task")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the client side; the server is uvicorn's own asyncio loop


def make_app(
    recorder: Recorder, gate: threading.Event, *, hang_session: bool = False, **options: Any
) -> Starlette:
    container = Container(**options)

    async def session() -> AsyncIterator[Session]:
        try:
            yield Session()
        finally:  # also when the request was cancelled: it sees the CancelledError here
            await anyio.sleep(0.05)  # a real close awaits (returns a connection to a pool)
            if hang_session:  # a pool that never answers
                await anyio.sleep_forever()
            recorder("session closed")

    async def settings() -> AsyncIterator[Settings]:
        yield Settings()
        recorder("settings closed")

    container.register(Session, session)
    container.register(Settings, settings, scope="app")

    async def quick_task(n: int) -> None:
        recorder(f"quick_task {n} ran")

    async def hung_task(n: int) -> None:
        recorder(f"hung_task {n} started")
        await anyio.sleep_forever()

    def blocked_sync_task(n: int) -> None:
        gate.wait(TIMEOUT)
        recorder(f"blocked_sync_task {n} ran")

    async def last_task(n: int) -> None:
        recorder(f"last_task {n} ran")

    @inject
    async def order(
        n: int, tasks: BackgroundTasks, session: Session, settings: Settings
    ) -> dict[str, int]:
        tasks.add_task(quick_task, n)
        tasks.add_task(hung_task, n)
        tasks.add_task(blocked_sync_task, n)
        tasks.add_task(last_task, n)
        return {"order": n}

    app = Starlette(routes=[Route("/order/{n:int}", order, methods=["POST"])])
    setup(app, container)
    return app


def assert_no_task_lost(recorder: Recorder, log: str, *, sessions: int = REQUESTS) -> None:
    """Each request's every task ran (recorded) or is named in the log."""
    events = recorder.events
    for n in range(REQUESTS):
        for task in TASKS:
            ran = f"{task} {n} ran" in events
            assert ran or f"background task {task}" in log, (task, n, events, log)
    assert events.count("session closed") == sessions
    assert events[-1] == "settings closed"  # the app scope closed after every request


async def serve_and_shut_down(app: Starlette, recorder: Recorder, **server: Any) -> None:
    """Send the requests, wait until each has a hung task, then shut the server down."""
    with serve_asgi(app, **server) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            async with anyio.create_task_group() as tg:
                for n in range(REQUESTS):
                    tg.start_soon(client.post, f"/order/{n}")
        for n in range(REQUESTS):
            await recorder.await_for(f"hung_task {n} started")
    # Leaving serve_asgi set server.should_exit, as SIGTERM does, and joined the server.


async def test_a_servers_graceful_timeout_cancels_hung_tasks_and_names_them(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """uvicorn's timeout_graceful_shutdown cancels the hung requests: the running task and
    the ones after it are named, and the app scope waits for their finalizers."""
    caplog.set_level(logging.INFO, logger="injectkit")
    gate = threading.Event()
    app = make_app(recorder, gate, shutdown_grace=TIMEOUT)
    try:
        await serve_and_shut_down(app, recorder, timeout_graceful_shutdown=0.5)
    finally:
        gate.set()
    log = caplog.text
    assert_no_task_lost(recorder, log)
    for n in range(REQUESTS):
        assert f"quick_task {n} ran" in recorder.events
    assert "background task hung_task was cancelled (CancelledError)" in log
    assert "background task last_task did not run" in log


async def test_task_timeout_cuts_hung_tasks_so_the_server_can_stop(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """With task_timeout set, uvicorn waiting for its requests (no graceful timeout) still
    stops: hung tasks are cut by their limit, and the tasks after them run."""
    gate = threading.Event()
    app = make_app(recorder, gate, task_timeout=0.3)
    try:
        await serve_and_shut_down(app, recorder, timeout_graceful_shutdown=None)
    finally:
        gate.set()
    assert_no_task_lost(recorder, caplog.text)
    for n in range(REQUESTS):
        assert f"last_task {n} ran" in recorder.events
    assert "background task blocked_sync_task did not finish within its time limit" in (caplog.text)


async def test_the_containers_grace_cuts_finalizers_the_server_left_running(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """uvicorn cancels the hung requests and moves on to closing the app scope while
    their finalizers still run: the container waits shutdown_grace, then cuts each hung
    finalizer and names it, and the app scope closes."""
    gate = threading.Event()
    app = make_app(recorder, gate, hang_session=True, shutdown_grace=0.3)
    try:
        await serve_and_shut_down(app, recorder, timeout_graceful_shutdown=0.3)
    finally:
        gate.set()
    assert_no_task_lost(recorder, caplog.text, sessions=0)
    assert (
        caplog.text.count(
            "the finalizer of session was still running after the shutdown grace (0.3 s)"
        )
        == REQUESTS
    )
