"""The scenarios every web adapter must pass, written once and run for each adapter's kit
(``_adapter_kits.py``): a real server on 127.0.0.1, a real HTTP client (httpx).

The client side runs on asyncio and trio; aiohttp (its runner serves on the test's event
loop) and Django's ASGI handler are asyncio code, so their kits have asyncio cases only.
What is particular to one framework stays in that framework's test file.
"""

import logging
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from injectkit import InjectionError

from . import _scenarios as scenarios
from ._adapter_kits import KITS, Kit, Plan
from .conftest import Gate, Recorder, ServerDidNotStart

pytestmark = pytest.mark.anyio

each_adapter = pytest.mark.parametrize(
    ("kit", "anyio_backend"),
    [
        pytest.param(kit, backend, id=f"{kit.name}-{backend}")
        for kit in KITS
        for backend in kit.backends
    ],
)

CONCURRENT = 200  # requests in flight at once


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def injectkit_log() -> Iterator[list[str]]:
    """What the ``injectkit`` logger says during the test, collected on that logger itself
    (Litestar's logging set-up replaces the root logger's handlers, caplog's included)."""
    logger, collect = logging.getLogger("injectkit"), Collect()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(collect)
    yield collect.messages
    logger.removeHandler(collect)
    logger.setLevel(level)


@each_adapter
async def test_response_is_complete_while_the_task_blocks_then_the_task_then_finalizers(
    kit: Kit, recorder: Recorder, gate: Gate
) -> None:
    """The client holds the whole response while the task blocks; then the task, then finalizers."""
    async with kit.serving(Plan(recorder, gate)) as url, scenarios.asgi_client(url) as client:
        response = await client.post("/notify/a@b.c", params={"tag": "r1"})
        assert response.status_code == 200
        assert response.json() == {"email": "a@b.c", "same_tasks": True}
        await recorder.await_for("task for a@b.c started")
        assert "session closed r1" not in recorder.events
        gate.open()
        events = await recorder.await_for("session closed r1")
    assert events == [
        "session opened r1",
        "handler",
        "task for a@b.c started",
        "task for a@b.c done",
        "session closed r1",
    ]


@each_adapter
async def test_handler_and_sub_dependency_share_one_background_tasks(
    kit: Kit, recorder: Recorder, gate: Gate
) -> None:
    """The handler and its sub-dependency share one BackgroundTasks; their tasks run in order."""
    gate.open()
    async with kit.serving(Plan(recorder, gate)) as url, scenarios.asgi_client(url) as client:
        response = await client.post("/notify/x@y.z", params={"q": "hello"})
        assert response.json()["same_tasks"] is True
        events = await recorder.await_for("session closed")
    assert [e for e in events if "task" in e] == [
        "query task hello",
        "task for x@y.z started",
        "task for x@y.z done",
    ]


@each_adapter
async def test_handler_error_is_the_frameworks_500_finalizers_see_it_tasks_dropped(
    kit: Kit, recorder: Recorder, gate: Gate, injectkit_log: list[str]
) -> None:
    """A handler error: the framework's 500, finalizers see it, the task is dropped (logged)."""
    async with kit.serving(Plan(recorder, gate)) as url, scenarios.asgi_client(url) as client:
        response = await client.get("/fail")
        await recorder.await_for("session closed after RuntimeError")
    assert response.status_code == 500
    assert kit.error_page in response.text
    assert recorder.events == ["session opened", "session closed after RuntimeError"]
    assert "dropping 1 background task(s) because the call raised RuntimeError" in injectkit_log


@each_adapter
async def test_client_hanging_up_mid_request_still_runs_finalizers(
    kit: Kit, recorder: Recorder, gate: Gate
) -> None:
    """The client hangs up mid-request: the handler sees it if it can; the finalizers still run."""
    seen_by_handler, closed = kit.disconnect
    async with kit.serving(Plan(recorder, gate)) as url:
        host, port = url.removeprefix("http://").split(":")
        async with await anyio.connect_tcp(host, int(port)) as connection:
            await connection.send(b"GET /disconnect HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await recorder.await_for("handler waiting")
        gate.open()  # a handler that cannot tell the client left waits here
        events = await recorder.await_for(closed)
    assert events == ["session opened", "handler waiting", seen_by_handler, closed]


@each_adapter
async def test_200_concurrent_requests_each_see_their_own_request_scoped_values(
    kit: Kit, recorder: Recorder, gate: Gate
) -> None:
    """200 requests in flight at once: each has its own request-scoped values, each closed."""
    plan = Plan(recorder, gate, in_flight=CONCURRENT)
    async with kit.serving(plan) as url:
        results: dict[int, dict[str, Any]] = await scenarios.fetch_all_at_once(
            url, CONCURRENT, lambda n: f"/whoami?n={n}&tag=t{n}"
        )
    assert all(r["n"] == n and r["tag"] == f"t{n}" for n, r in results.items())
    assert all(r["session"] == r["via_dependency"] for r in results.values())
    assert len({r["session"] for r in results.values()}) == CONCURRENT
    assert len({r["settings"] for r in results.values()}) == 1  # the app scope's, built once
    closed = sorted(e for e in recorder.events if e.startswith("session closed"))
    assert closed == sorted(f"session closed t{n}" for n in range(CONCURRENT))


def failure_text(error: BaseException) -> str:
    """The InjectionError's text: raised as the server started, or logged by the server
    (inside an exception group's borders, on Litestar)."""
    if not isinstance(error, ServerDidNotStart):
        return str(error)
    if isinstance(error.__cause__, InjectionError):  # raised in the server's thread
        return str(error.__cause__)
    return "\n".join(error.messages)


@each_adapter
async def test_a_broken_graph_stops_the_start_up_with_the_injection_error(
    kit: Kit, recorder: Recorder, gate: Gate
) -> None:
    """A broken graph stops the start-up with the InjectionError naming the chain."""
    with pytest.raises((ServerDidNotStart, InjectionError)) as failure:
        async with kit.serving(Plan(recorder, gate, broken=True)):
            pass
    words = " ".join(failure_text(failure.value).replace("|", " ").split())
    assert (
        "`Unregistered` is not registered in the container, so nothing provides `thing` to "
        "repository." in words
    )
    assert f"{kit.broken_handler} -> repository" in words
    assert "settings closed" not in recorder.events


@each_adapter
async def test_app_scoped_finalizers_run_once_at_shutdown_after_the_requests(
    kit: Kit, recorder: Recorder, gate: Gate
) -> None:
    """App-scoped finalizers run once, at shutdown, after every request's finalizers."""
    async with kit.serving(Plan(recorder, gate)) as url:
        async with scenarios.asgi_client(url) as client:
            first = (await client.get("/whoami", params={"n": 1, "tag": "one"})).json()
            second = (await client.get("/whoami", params={"n": 2, "tag": "two"})).json()
            await recorder.await_for("session closed two")
        assert first["settings"] == second["settings"]
        assert "settings closed" not in recorder.events
    assert recorder.events.count("settings closed") == 1
    assert recorder.events[-1] == "settings closed"
