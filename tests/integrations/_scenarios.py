"""Pieces the adapters' tests share: one function a behaviour, the framework's pieces
(its app, the request that triggers the behaviour, its own response body) as arguments.

The scenarios every web adapter must pass are written once in test_adapter_scenarios.py
and run for each adapter's kit (_adapter_kits.py).  What is here serves the adapters' own
tests: the ASGI adapters (Starlette, FastAPI, Litestar) share routes by name
(``/notify/{email}``, ``/missing``, ``/own-background``, ``/ws`` ...) and the container of
:func:`conftest.make_container`, served with uvicorn; Flask, aiohttp and Django share the
assertions on free-parameter conversion.
"""

from __future__ import annotations

import itertools
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from injectkit import BackgroundTasks

from .conftest import (
    ROOT,
    TIMEOUT,
    Gate,
    Recorder,
    ServerDidNotStart,
    load_example,
    serve_asgi,
)

# --- pieces the apps under test are built from ---------------------------------------------


class AllInFlight:
    """An async barrier for handlers: ``arrive()`` returns once ``count`` have arrived.

    The event is made on first use so that it belongs to the server's event loop.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._arrived = itertools.count(1)
        self._everyone_in: anyio.Event | None = None

    async def arrive(self) -> None:
        if self._everyone_in is None:
            self._everyone_in = anyio.Event()
        if next(self._arrived) == self.count:
            self._everyone_in.set()
        with anyio.fail_after(TIMEOUT):
            await self._everyone_in.wait()


def blocking_task(recorder: Recorder, gate: Gate) -> Callable[[str], None]:
    """A background task that records its start, waits at ``gate``, records its end."""

    def task(name: str) -> None:
        recorder(f"{name} started")
        gate.wait()
        recorder(f"{name} done")

    return task


def query_task(recorder: Recorder) -> Callable[..., int]:
    """A sub-dependency that adds a task when ``q`` is given; returns its tasks' id."""

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> int:
        if q:
            tasks.add_task(recorder, f"query task {q}")
        return id(tasks)

    return get_query


# --- the ASGI adapters' scenarios ------------------------------------------------------------


def asgi_client(url: str, **options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=TIMEOUT, **options)


@dataclass(frozen=True)
class Notify:
    """How a framework's ``/notify/{email}`` route is called: its method, and the query
    parameters and headers its own dependencies read."""

    method: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    async def send(self, client: httpx.AsyncClient, email: str, **query: str) -> httpx.Response:
        return await client.request(
            self.method, f"/notify/{email}", params={**query, **self.params}, headers=self.headers
        )


async def response_complete_before_task_then_finalizers(
    app: Any,
    recorder: Recorder,
    gate: Gate,
    notify: Notify,
    *,
    expected_json: dict[str, Any],
) -> None:
    """``/notify/a@b.c?tag=r1``: the whole response while the task blocks; then the task,
    then the request's finalizer; the app's at shutdown."""
    with serve_asgi(app) as url:
        async with asgi_client(url) as client:
            response = await notify.send(client, "a@b.c", tag="r1")
            assert response.status_code == 200
            assert response.json() == expected_json
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
    assert recorder.events[-1] == "settings closed"


async def one_background_tasks_for_all(
    app: Any,
    recorder: Recorder,
    gate: Gate,
    notify: Notify,
) -> Any:
    """``/notify/x@y.z?q=hello``: the query task and the handler's run in order, from one
    BackgroundTasks; the response's JSON body."""
    gate.open()
    with serve_asgi(app) as url:
        async with asgi_client(url) as client:
            response = await notify.send(client, "x@y.z", q="hello")
            assert response.json()["same_tasks"] is True
            events = await recorder.await_for("session closed")
    tasks = [e for e in events if "task" in e]
    assert tasks == ["query task hello", "task for x@y.z started", "task for x@y.z done"]
    return response.json()


async def own_background_loses_no_task(app: Any, recorder: Recorder, expected: list[str]) -> None:
    """``/own-background`` answers ``{"ok": true}``; the events up to the finalizer are
    ``expected``."""
    with serve_asgi(app) as url:
        async with asgi_client(url) as client:
            response = await client.get("/own-background")
            assert response.json() == {"ok": True}
            events = await recorder.await_for("session closed")
    assert events == expected


async def failed_request(
    client: httpx.AsyncClient, recorder: Recorder, path: str, status: int, error: str
) -> httpx.Response:
    """GET ``path``: a ``status`` response, and the finalizer saw the ``error`` class."""
    response = await client.get(path)
    assert response.status_code == status
    await recorder.await_for(f"session closed after {error}")
    return response


_TLS = ssl.create_default_context()  # made once, unused: the clients speak plain HTTP


async def fetch_all_at_once(
    url: str, count: int, path_of: Callable[[int], str]
) -> dict[int, dict[str, Any]]:
    """GET ``path_of(n)`` for n in range(count), all at once; the JSON bodies by n.

    Each request has a client (and a connection) of its own: httpcore's pool looks over
    all its connections for each request, seconds of CPU with 200 in one pool.
    """
    results: dict[int, dict[str, Any]] = {}

    async def one(n: int) -> None:
        async with asgi_client(url, verify=_TLS) as client:
            results[n] = (await client.get(path_of(n))).json()

    async with anyio.create_task_group() as tg:
        for n in range(count):
            tg.start_soon(one, n)
    assert sorted(results) == list(range(count))
    return results


async def websocket_scope_per_connection(
    app: Any, recorder: Recorder, reply_to: Callable[[str], str]
) -> None:
    """Two connections to ``/ws``: each answers ``reply_to(text)``; the first one's scope
    closes after its task, which runs after the socket closed."""
    httpx_ws = pytest.importorskip("httpx_ws")
    with serve_asgi(app, ws="wsproto") as url:
        async with asgi_client(url) as client:
            for tag in ("one", "two"):
                async with httpx_ws.aconnect_ws(f"/ws?tag={tag}", client) as ws:
                    await ws.send_text(tag)
                    assert await ws.receive_text() == reply_to(tag)
                await recorder.await_for(f"session closed {tag}")
    events = recorder.events
    assert events[: events.index("session closed one") + 1] == [
        "session opened one",
        "websocket closed",
        "websocket task",
        "session closed one",
    ]


def startup_failure_log(app: Any) -> str:
    """Serve ``app`` expecting start-up to fail; uvicorn's log of the failure."""
    with pytest.raises(ServerDidNotStart) as failure:
        with serve_asgi(app):
            pass
    return "\n".join(failure.value.messages)


def seed_examples_write_the_log_after_the_response(framework: str, tmp_path: Path) -> None:
    """examples/<framework>/tutorial001.py and tutorial002.py served by uvicorn."""
    first = load_example(f"{framework}/tutorial001.py")
    second = load_example(f"{framework}/tutorial002.py")
    log1, log2 = tmp_path / "one.txt", tmp_path / "two.txt"
    with serve_asgi(first.create_app(log1)) as url:
        response = httpx.post(f"{url}/send-notification/a@b.c", timeout=TIMEOUT)
        assert response.json() == {"message": "Notification sent in the background"}
    assert log1.read_text() == "notification for a@b.c: some notification"
    with serve_asgi(second.create_app(log2)) as url:
        response = httpx.post(f"{url}/send-notification/a@b.c?q=x", timeout=TIMEOUT)
        assert response.json() == {"message": "Message sent"}
        httpx.post(f"{url}/send-notification/c@d.e", timeout=TIMEOUT)
    assert log2.read_text() == "found query: x\nmessage to a@b.c\nmessage to c@d.e\n"


# --- every adapter ---------------------------------------------------------------------------


def fresh_interpreter_output(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (run from the repository's root)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    return done.stdout.strip()


def program_lines(script: str, tmp_path: Path) -> list[str]:
    """The stdout lines of ``script`` (dedented) run as a program file from the
    repository's root; it must exit with status 0 (its stderr is the failure message)."""
    path = tmp_path / "program.py"
    path.write_text(textwrap.dedent(script))
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def import_error_without(framework: str, adapter: str) -> str:
    """The ImportError message of ``injectkit.integrations.<adapter>`` in a fresh
    interpreter where ``framework`` cannot be imported."""
    return fresh_interpreter_output(
        f"""
        import sys
        sys.modules[{framework!r}] = None  # as if it were not installed
        try:
            import injectkit.integrations.{adapter}
        except ImportError as error:
            print(error)
        """
    )


def assert_users_converted(full: httpx.Response, short: httpx.Response) -> None:
    """``/users/42?active=yes&ratio=0.5&size=3`` and ``/users/7?active=0&user_id=9``
    (the path's ``user_id`` wins over the query's)."""
    assert full.json() == {"user_id": 42, "active": True, "ratio": 0.5, "size": 3}
    assert short.json() == {"user_id": 7, "active": False, "ratio": None, "size": 10}


def assert_users_refused(bad: httpx.Response, missing: httpx.Response) -> None:
    """``/users/abc?active=maybe`` and ``/users/1``: 422s naming each parameter."""
    assert bad.status_code == 422
    details = bad.json()["detail"]
    assert [(d["loc"], d["type"], d["input"]) for d in details] == [
        (["path", "user_id"], "int_parsing", "abc"),
        (["query", "active"], "bool_parsing", "maybe"),
    ]
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {"type": "missing", "loc": ["query", "active"], "msg": "Field required", "input": None}
    ]
