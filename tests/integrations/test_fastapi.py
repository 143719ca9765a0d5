"""The FastAPI adapter on a real uvicorn server with a real httpx client."""

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any

import anyio
import fastapi
import httpx
import pytest
from fastapi import FastAPI, HTTPException, Query, Request, WebSocket
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from injectkit import BackgroundTasks, Depends
from injectkit.integrations.fastapi import FromContainer, inject, provide, setup

from .conftest import (
    ROOT,
    TIMEOUT,
    Gate,
    Recorder,
    ServerDidNotStart,
    Session,
    Settings,
    load_example,
    make_container,
    serve_asgi,
)

pytestmark = pytest.mark.anyio


def make_app(recorder: Recorder, gate: Gate) -> FastAPI:
    app = FastAPI()

    def blocking_task(name: str) -> None:
        recorder(f"{name} started")
        gate.wait()
        recorder(f"{name} done")

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> int:
        if q:
            tasks.add_task(recorder, f"query task {q}")
        return id(tasks)

    @inject
    async def current_user(
        x_user: Annotated[str, fastapi.Header()], tasks: BackgroundTasks
    ) -> dict[str, Any]:
        """A FastAPI dependency that injectkit also serves."""
        return {"name": x_user, "tasks": id(tasks)}

    def fastapi_only(session: Annotated[Session, fastapi.Depends(provide(Session))]) -> str:
        """A plain FastAPI dependency that takes a container provider via provide()."""
        return session.token

    @app.post("/notify/{email}")
    @inject
    async def notify(
        email: str,
        tasks: BackgroundTasks,
        session: FromContainer[Session],
        settings: FromContainer[Settings],
        via_query: Annotated[int, Depends(get_query)],
        user: Annotated[dict[str, Any], fastapi.Depends(current_user)],
        token: Annotated[str, fastapi.Depends(fastapi_only)],
    ) -> dict[str, Any]:
        recorder("handler")
        tasks.add_task(blocking_task, f"task for {email}")
        return {
            "email": email,
            "user": user["name"],
            "same_tasks": via_query == id(tasks) == user["tasks"],
            "same_session": token == session.token,
        }

    @app.get("/fail")
    @inject
    async def fail(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
        tasks.add_task(recorder, "dropped task")
        raise RuntimeError("handler failed")

    @app.get("/missing")
    @inject
    async def missing(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
        tasks.add_task(recorder, "dropped task")
        raise HTTPException(404, "no such thing")

    @app.get("/own-background")
    @inject
    async def own_background(
        tasks: BackgroundTasks,
        fastapi_tasks: fastapi.BackgroundTasks,
        session: FromContainer[Session],
    ) -> JSONResponse:
        tasks.add_task(recorder, "injectkit task")
        fastapi_tasks.add_task(recorder, "fastapi task")
        return JSONResponse({"ok": True}, background=BackgroundTask(recorder, "response task"))

    def limit_of(limit: int = 10) -> int:
        return limit

    @app.get("/items/{item_id}")
    @inject
    def items(
        item_id: int,
        limit: Annotated[int, Depends(limit_of)],
        q: Annotated[str | None, Query(max_length=5)] = None,
    ) -> dict[str, Any]:
        """A sync route: FastAPI's path and query parameters next to injectkit's."""
        return {"item_id": item_id, "limit": limit, "q": q}

    @app.get("/disconnect")
    @inject
    async def wait_for_disconnect(request: Request, session: FromContainer[Session]) -> None:
        recorder("handler waiting")
        while (await request.receive())["type"] != "http.disconnect":
            pass
        recorder("handler saw the disconnect")

    count = 200
    arrived = itertools.count(1)
    everyone_in: list[anyio.Event] = []

    def token_of(session: Session) -> str:
        return session.token

    @app.get("/whoami")
    @inject
    async def whoami(
        n: int, session: FromContainer[Session], via: Annotated[str, Depends(token_of)]
    ) -> dict[str, Any]:
        if not everyone_in:
            everyone_in.append(anyio.Event())
        if next(arrived) == count:
            everyone_in[0].set()
        await everyone_in[0].wait()  # all 200 scopes are open at this point
        return {"n": n, "session": session.token, "via_dependency": via}

    @app.websocket("/ws")
    @inject
    async def echo(
        websocket: WebSocket, session: FromContainer[Session], tasks: BackgroundTasks
    ) -> None:
        await websocket.accept()
        tasks.add_task(recorder, "websocket task")
        text = await websocket.receive_text()
        await websocket.send_text(f"echo {text} {len(session.token)}")
        await websocket.close()
        recorder("websocket closed")

    setup(app, make_container(recorder, HTTPConnection))
    return app


async def test_response_complete_before_task_then_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """The client has the whole response while the task blocks; then the task, then finalizers."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.post(
                "/notify/a@b.c", params={"tag": "r1"}, headers={"x-user": "ann"}
            )
            assert response.status_code == 200
            assert response.json() == {
                "email": "a@b.c",
                "user": "ann",
                "same_tasks": True,
                "same_session": True,
            }
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


async def test_one_background_tasks_for_route_and_dependencies(
    recorder: Recorder, gate: Gate
) -> None:
    """Route, injectkit sub-dependency and injected FastAPI dependency share one BackgroundTasks."""
    gate.open()
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.post(
                "/notify/x@y.z", params={"q": "hello"}, headers={"x-user": "bob"}
            )
            assert response.json()["same_tasks"] is True
            events = await recorder.await_for("session closed")
    tasks = [e for e in events if "task" in e]
    assert tasks == ["query task hello", "task for x@y.z started", "task for x@y.z done"]


async def test_response_with_its_own_background_loses_no_task(
    recorder: Recorder, gate: Gate
) -> None:
    """A Response(background=...) keeps FastAPI's tasks and injectkit's; finalizers last."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/own-background")
            assert response.json() == {"ok": True}
            events = await recorder.await_for("session closed")
    assert events == [
        "session opened",
        "response task",
        "fastapi task",
        "injectkit task",
        "session closed",
    ]


async def test_handler_error_is_a_500_finalizers_run_tasks_dropped(
    recorder: Recorder, gate: Gate
) -> None:
    """A route error: FastAPI's 500, the finalizer sees the error, the task never runs."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/fail")
            assert response.status_code == 500
            assert response.text == "Internal Server Error"
            await recorder.await_for("session closed after RuntimeError")
        # uvicorn closes a connection whose app raised: the next request needs a new one
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/missing")
            assert response.status_code == 404
            assert response.json() == {"detail": "no such thing"}
            await recorder.await_for("session closed after HTTPException")
    assert "dropped task" not in recorder.events


async def test_client_disconnect_mid_request_still_runs_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """A client that hangs up while the route runs: the request's finalizers still run."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.get, "/disconnect")
                await recorder.await_for("handler waiting")
                tg.cancel_scope.cancel()  # httpx closes the connection mid-request
        events = await recorder.await_for("session closed")
    assert events[:4] == [
        "session opened",
        "handler waiting",
        "handler saw the disconnect",
        "session closed",
    ]


async def test_200_concurrent_requests_each_see_their_own_objects(
    recorder: Recorder, gate: Gate
) -> None:
    """200 requests in flight at once: each has its own session, shared within the request."""
    count = 200
    app = make_app(recorder, gate)
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    results: dict[int, dict[str, Any]] = {}
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, limits=limits) as client:

            async def one(n: int) -> None:
                response = await client.get("/whoami", params={"n": n})
                results[n] = response.json()

            async with anyio.create_task_group() as tg:
                for n in range(count):
                    tg.start_soon(one, n)
    assert sorted(results) == list(range(count))
    assert all(r["n"] == n for n, r in results.items())
    assert all(r["session"] == r["via_dependency"] for r in results.values())
    assert len({r["session"] for r in results.values()}) == count
    assert recorder.events.count("session closed") == count


async def test_fastapi_and_injectkit_parameters_are_validated(
    recorder: Recorder, gate: Gate
) -> None:
    """FastAPI's parameters and injectkit's free ones both give FastAPI's 422 body."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            ok = await client.get("/items/3", params={"limit": "2", "q": "abc"})
            bad_limit = await client.get("/items/3", params={"limit": "lots"})
            bad_path = await client.get("/items/three")
            openapi = (await client.get("/openapi.json")).json()
    assert ok.json() == {"item_id": 3, "limit": 2, "q": "abc"}
    assert bad_limit.status_code == 422
    assert bad_limit.json()["detail"] == [
        {
            "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
            "input": "lots",
        }
    ]
    assert bad_path.status_code == 422
    assert bad_path.json()["detail"][0]["loc"] == ["path", "item_id"]
    documented = [p["name"] for p in openapi["paths"]["/items/{item_id}"]["get"]["parameters"]]
    assert documented == ["item_id", "q"]


async def test_websocket_gets_a_scope_per_connection_and_tasks_after_close(
    recorder: Recorder, gate: Gate
) -> None:
    """Each WebSocket connection has its own scope; its tasks run after it closes."""
    httpx_ws = pytest.importorskip("httpx_ws")
    app = make_app(recorder, gate)
    with serve_asgi(app, ws="wsproto") as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            for tag in ("one", "two"):
                async with httpx_ws.aconnect_ws(f"/ws?tag={tag}", client) as ws:
                    await ws.send_text(tag)
                    assert await ws.receive_text() == f"echo {tag} 32"
                await recorder.await_for(f"session closed {tag}")
    events = recorder.events
    assert events[: events.index("session closed one") + 1] == [
        "session opened one",
        "websocket closed",
        "websocket task",
        "session closed one",
    ]


async def test_startup_fails_on_a_broken_graph(recorder: Recorder) -> None:
    """A route or a dependency with an unsolvable graph stops start-up with the error."""

    class Unregistered:
        pass

    @inject
    async def deep(thing: FromContainer[Unregistered]) -> None: ...

    app = FastAPI()

    @app.get("/broken")
    async def broken(value: Annotated[None, fastapi.Depends(deep)]) -> None: ...

    setup(app, make_container(recorder, HTTPConnection))
    with pytest.raises(ServerDidNotStart) as failure:
        with serve_asgi(app):
            pass
    log = "\n".join(failure.value.messages)
    assert "Parameter 'thing: Unregistered' of deep cannot be provided" in log
    assert "settings closed" not in recorder.events


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/fastapi: tutorial001 and tutorial002 write their log lines after responding."""
    first = load_example("fastapi/tutorial001.py")
    second = load_example("fastapi/tutorial002.py")
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


def test_importing_without_fastapi_names_the_extra() -> None:
    """Without FastAPI installed, the import error says which extra to install."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["fastapi"] = None
        try:
            import injectkit.integrations.fastapi
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert 'pip install "injectkit[fastapi]"' in out.stdout
