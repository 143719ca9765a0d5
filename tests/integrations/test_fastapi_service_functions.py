"""A function decorated with the core ``container.inject`` and called from a FastAPI route
joins that request: one session per request, the route's BackgroundTasks (docs:
integrations/fastapi.md, "Service functions called from a route")."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import HTTPConnection

from injectkit import BackgroundTasks
from injectkit.integrations.fastapi import FromContainer, inject, setup

from .conftest import TIMEOUT, Recorder, Session, make_container, serve_asgi

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the client side; the server is uvicorn's own asyncio loop


def make_app(recorder: Recorder) -> FastAPI:
    container = make_container(recorder, HTTPConnection)

    @container.inject
    def save_note(title: str, session: Session, tasks: BackgroundTasks) -> str:
        tasks.add_task(recorder, f"task from save_note {title}")
        return session.token

    @container.inject
    async def audit(session: Session) -> str:
        return session.token

    app = FastAPI()

    @app.post("/notes/{title}")
    @inject
    async def create_note(
        title: str, session: FromContainer[Session], tasks: BackgroundTasks
    ) -> dict[str, str]:
        tasks.add_task(recorder, f"task from the route {title}")
        return {
            "route": session.token,
            "save_note": save_note(title),
            "audit": await audit(),
        }

    setup(app, container)
    return app


async def test_core_injected_function_called_from_a_route_joins_the_request(
    recorder: Recorder,
) -> None:
    """save_note and audit get the route's session; their tasks run with the route's."""
    with serve_asgi(make_app(recorder)) as url:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            first = (await client.post(f"{url}/notes/a", params={"tag": "a"})).json()
            recorder.wait_for("session closed a")
            second = (await client.post(f"{url}/notes/b", params={"tag": "b"})).json()
            recorder.wait_for("session closed b")
    assert first["route"] == first["save_note"] == first["audit"]
    assert second["route"] == second["save_note"] == second["audit"] != first["route"]
    assert recorder.events == [
        "session opened a",
        "task from the route a",
        "task from save_note a",
        "session closed a",
        "session opened b",
        "task from the route b",
        "task from save_note b",
        "session closed b",
    ]
