"""The FastAPI adapter on a real uvicorn server with a real httpx client."""

from pathlib import Path
from typing import Annotated, Any

import fastapi
import pytest
from fastapi import FastAPI, HTTPException, Query, Request, WebSocket
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from injectkit import BackgroundTasks, Depends
from injectkit.integrations.fastapi import FromContainer, inject, provide, setup

from . import _scenarios as scenarios
from .conftest import Gate, Recorder, Session, Settings, make_container, serve_asgi

pytestmark = pytest.mark.anyio

CONCURRENT = 200  # requests in flight at once


def make_app(recorder: Recorder, gate: Gate) -> FastAPI:
    app = FastAPI()
    blocking_task = scenarios.blocking_task(recorder, gate)
    get_query = scenarios.query_task(recorder)

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

    all_in_flight = scenarios.AllInFlight(CONCURRENT)

    @app.get("/whoami")
    @inject
    async def whoami(
        n: int,
        session: FromContainer[Session],
        via: Annotated[str, Depends(scenarios.token_of)],
    ) -> dict[str, Any]:
        await all_in_flight.arrive()  # all the requests' scopes are open at this point
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
    await scenarios.response_complete_before_task_then_finalizers(
        make_app(recorder, gate),
        recorder,
        gate,
        scenarios.Notify("POST", headers={"x-user": "ann"}),
        expected_json={
            "email": "a@b.c",
            "user": "ann",
            "same_tasks": True,
            "same_session": True,
        },
    )


async def test_one_background_tasks_for_route_and_dependencies(
    recorder: Recorder, gate: Gate
) -> None:
    """Route, injectkit sub-dependency and injected FastAPI dependency share one BackgroundTasks."""
    await scenarios.one_background_tasks_for_all(
        make_app(recorder, gate),
        recorder,
        gate,
        scenarios.Notify("POST", headers={"x-user": "bob"}),
    )


async def test_response_with_its_own_background_loses_no_task(
    recorder: Recorder, gate: Gate
) -> None:
    """A Response(background=...) keeps FastAPI's tasks and injectkit's; finalizers last."""
    await scenarios.own_background_loses_no_task(
        make_app(recorder, gate),
        recorder,
        ["session opened", "response task", "fastapi task", "injectkit task", "session closed"],
    )


async def test_handler_error_is_a_500_finalizers_run_tasks_dropped(
    recorder: Recorder, gate: Gate
) -> None:
    """A route error: FastAPI's 500, the finalizer sees the error, the task never runs."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            failed = await scenarios.failed_request(client, recorder, "/fail", 500, "RuntimeError")
            assert failed.text == "Internal Server Error"
        # uvicorn closes a connection whose app raised: the next request needs a new one
        async with scenarios.asgi_client(url) as client:
            missing = await scenarios.failed_request(
                client, recorder, "/missing", 404, "HTTPException"
            )
            assert missing.json() == {"detail": "no such thing"}
    assert "dropped task" not in recorder.events


async def test_client_disconnect_mid_request_still_runs_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """A client that hangs up while the route runs: the request's finalizers still run."""
    await scenarios.client_disconnect_runs_finalizers(make_app(recorder, gate), recorder)


async def test_200_concurrent_requests_each_see_their_own_objects(
    recorder: Recorder, gate: Gate
) -> None:
    """200 requests in flight at once: each has its own session, shared within the request."""
    app = make_app(recorder, gate)
    await scenarios.concurrent_requests_see_their_own_sessions(app, recorder, CONCURRENT)


async def test_fastapi_and_injectkit_parameters_are_validated(
    recorder: Recorder, gate: Gate
) -> None:
    """FastAPI's parameters and injectkit's free ones both give FastAPI's 422 body."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
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
    assert documented == ["item_id", "q", "limit"]  # limit_of's limit: a client sets it


async def test_websocket_gets_a_scope_per_connection_and_tasks_after_close(
    recorder: Recorder, gate: Gate
) -> None:
    """Each WebSocket connection has its own scope; its tasks run after it closes."""
    await scenarios.websocket_scope_per_connection(
        make_app(recorder, gate), recorder, lambda tag: f"echo {tag} 32"
    )


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
    log = scenarios.startup_failure_log(app)
    assert (
        "`Unregistered` is not registered in the\ncontainer, so nothing provides `thing` to deep."
        in log
    )
    assert "settings closed" not in recorder.events


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/fastapi: tutorial001 and tutorial002 write their log lines after responding."""
    scenarios.seed_examples_write_the_log_after_the_response("fastapi", tmp_path)


def test_importing_without_fastapi_names_the_extra() -> None:
    """Without FastAPI installed, the import error says which extra to install."""
    assert scenarios.import_error_without("fastapi", "fastapi") == (
        "injectkit.integrations.fastapi needs FastAPI, which is not installed: "
        'python -m pip install "./injectkit[fastapi]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[fastapi]" once it is on PyPI)'
    )
