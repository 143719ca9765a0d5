"""The FastAPI adapter on a real uvicorn server with a real httpx client."""

from pathlib import Path
from typing import Annotated, Any

import fastapi
import pytest
from fastapi import FastAPI, HTTPException, Query, WebSocket
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from injectkit import BackgroundTasks, Depends
from injectkit.integrations.fastapi import FromContainer, inject, provide, setup

from . import _scenarios as scenarios
from .conftest import Gate, Recorder, Session, Settings, make_container, serve_asgi

pytestmark = pytest.mark.anyio


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


async def test_injected_fastapi_dependencies_share_the_routes_tasks_and_session(
    recorder: Recorder, gate: Gate
) -> None:
    """An injected FastAPI dependency and provide() share the route's tasks and session."""
    body = await scenarios.one_background_tasks_for_all(
        make_app(recorder, gate),
        recorder,
        gate,
        scenarios.Notify("POST", headers={"x-user": "bob"}),
    )
    assert body == {"email": "x@y.z", "user": "bob", "same_tasks": True, "same_session": True}


async def test_response_with_its_own_background_loses_no_task(
    recorder: Recorder, gate: Gate
) -> None:
    """A Response(background=...) keeps FastAPI's tasks and injectkit's; finalizers last."""
    await scenarios.own_background_loses_no_task(
        make_app(recorder, gate),
        recorder,
        ["session opened", "response task", "fastapi task", "injectkit task", "session closed"],
    )


async def test_http_exception_keeps_its_status_and_drops_tasks(
    recorder: Recorder, gate: Gate
) -> None:
    """An HTTPException keeps FastAPI's response; the request still fails: no task runs."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            missing = await scenarios.failed_request(
                client, recorder, "/missing", 404, "HTTPException"
            )
            assert missing.json() == {"detail": "no such thing"}
    assert "dropped task" not in recorder.events


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


async def test_startup_fails_on_a_broken_graph_inside_a_fastapi_dependency(
    recorder: Recorder,
) -> None:
    """An injected FastAPI dependency with an unsolvable graph stops start-up."""

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
