"""The Starlette / ASGI adapter on a real uvicorn server with a real httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.integrations.starlette import InjectKitMiddleware, get_scope, inject, setup

from . import _scenarios as scenarios
from .conftest import Gate, Recorder, Session, Settings, make_container, serve_asgi

pytestmark = pytest.mark.anyio


def make_app(recorder: Recorder, *routes: Any) -> Starlette:
    """The routes of this file's tests (the shared scenarios' are in _adapter_kits.py)."""

    @inject
    async def missing(tasks: BackgroundTasks, session: Session) -> None:
        tasks.add_task(recorder, "dropped task")
        raise HTTPException(404, "no such thing")

    @inject
    async def item(item_id: int, q: str | None = None, limit: int = 10, flag: bool = False) -> Any:
        return {"item_id": item_id, "q": q, "limit": limit, "flag": flag}

    @inject
    def sync_handler(session: Session, n: int) -> PlainTextResponse:
        return PlainTextResponse(f"sync {n}")

    container = make_container(recorder, HTTPConnection)
    app = Starlette(
        routes=[
            Route("/missing", missing),
            Route("/items/{item_id:int}", item),
            Route("/sync", sync_handler),
            *routes,
        ]
    )
    setup(app, container)
    return app


async def test_http_exception_keeps_its_status_and_drops_tasks(recorder: Recorder) -> None:
    """An HTTPException gives its own response; the request still ends as failed: no tasks."""
    app = make_app(recorder)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            missing = await scenarios.failed_request(
                client, recorder, "/missing", 404, "HTTPException"
            )
            assert missing.text == "no such thing"
            # a second request proves the first one has finished closing
            assert (await client.get("/items/1")).status_code == 200
    assert "dropped task" not in recorder.events


async def test_streaming_response_cut_by_the_client_still_runs_finalizers(
    recorder: Recorder,
) -> None:
    """A client that hangs up in the middle of a streamed body: finalizers still run."""

    @inject
    async def stream(session: Session) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"first chunk\n"
            recorder("first chunk sent")
            await anyio.sleep_forever()  # Starlette cancels this when the client leaves
            yield b"never"

        return StreamingResponse(body())

    app = make_app(recorder, Route("/stream", stream))
    with serve_asgi(app) as url:
        # A raw socket: httpx leaves half-read streams to the garbage collector on trio.
        port = int(url.rsplit(":", 1)[1])
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
            received = b""
            while b"first chunk" not in received:
                received += await stream.receive()
        assert received.startswith(b"HTTP/1.1 200")
        events = await recorder.await_for("session closed")
    assert events.index("first chunk sent") < events.index("session closed")


async def test_path_then_query_parameters_are_converted(recorder: Recorder) -> None:
    """Free parameters come from the path, then the query, converted to their annotations."""
    app = make_app(recorder)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            query = {"limit": "3", "flag": "yes", "item_id": "9"}  # the path's item_id wins
            response = await client.get("/items/7", params=query)
            assert response.json() == {"item_id": 7, "q": None, "limit": 3, "flag": True}
            response = await client.get("/sync", params={"n": "5"})
            assert response.text == "sync 5"


async def test_bad_query_value_is_a_422_naming_the_parameter(recorder: Recorder) -> None:
    """A value that does not convert, or a missing one, is a 422 JSON body, not a 500."""
    app = make_app(recorder)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/items/7", params={"limit": "many", "flag": "perhaps"})
            missing = await client.get("/sync")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["loc"], d["type"], d["input"]) for d in detail] == [
        (["query", "limit"], "int_parsing", "many"),
        (["query", "flag"], "bool_parsing", "perhaps"),
    ]
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {"type": "missing", "loc": ["query", "n"], "msg": "Field required", "input": None}
    ]


async def test_startup_fails_on_a_broken_graph_inside_a_mount(recorder: Recorder) -> None:
    """An endpoint inside a Mount whose graph cannot be solved stops start-up."""

    class Unregistered:
        pass

    @inject
    async def broken(thing: Unregistered) -> None:
        raise AssertionError("never called")

    app = make_app(recorder, Mount("/sub", routes=[Route("/broken", broken)]))
    log = scenarios.startup_failure_log(app)
    assert (
        "`Unregistered` is not registered in the\ncontainer, so nothing provides `thing` to broken."
        in log
    )
    assert "hint: register a provider for Unregistered" in log
    assert "settings closed" not in recorder.events


async def test_scope_error_at_startup_names_the_chain(recorder: Recorder) -> None:
    """An app-scoped provider that needs a request-scoped one stops start-up (ScopeError)."""

    class Cache:
        pass

    container = make_container(recorder, HTTPConnection)

    @container.provider(scope="app")
    def cache(session: Session) -> Cache:
        return Cache()

    @inject
    async def use_cache(cache: Cache) -> None: ...

    app = Starlette(routes=[Route("/cache", use_cache)])
    setup(app, container)
    assert "use_cache -> cache" in scenarios.startup_failure_log(app)


async def test_websocket_gets_a_scope_per_connection_and_tasks_after_close(
    recorder: Recorder,
) -> None:
    """Each WebSocket connection has its own scope; its tasks run after it closes."""
    tokens: list[str] = []

    @inject
    async def echo(websocket: WebSocket, session: Session, tasks: BackgroundTasks) -> None:
        await websocket.accept()
        tokens.append(session.token)
        tasks.add_task(recorder, "websocket task")
        text = await websocket.receive_text()
        await websocket.send_text(f"echo {text}")
        await websocket.close()
        recorder("websocket closed")

    app = make_app(recorder, WebSocketRoute("/ws", echo))
    await scenarios.websocket_scope_per_connection(app, recorder, lambda tag: f"echo {tag}")
    assert len(set(tokens)) == 2


async def test_generic_asgi_app_reaches_the_scope(recorder: Recorder) -> None:
    """Any ASGI app wrapped in the middleware gets a request scope and the app lifespan."""
    container = make_container(recorder, HTTPConnection)

    def describe(session: Session, request: Request, settings: Settings) -> str:
        return f"{request.url.path} {len(session.token)}"

    async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"  # a bare app: no lifespan support of its own
        text = await get_scope(scope).call(describe)
        await PlainTextResponse(text)(scope, receive, send)

    app = InjectKitMiddleware(raw_app, container)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/raw")
            assert response.text == "/raw 32"
            await client.get("/warm-settings")
    assert recorder.events.count("session closed") == 2
    assert recorder.events[-1] == "settings closed"  # the app scope closed at shutdown


async def test_get_scope_without_setup_names_the_fix() -> None:
    """Using an injected endpoint on an app without setup() says what to call."""
    with pytest.raises(InjectionError, match=r"setup\(app, container\)"):
        get_scope({"type": "http"})


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/starlette: tutorial001 and tutorial002 write their log lines after responding."""
    scenarios.seed_examples_write_the_log_after_the_response("starlette", tmp_path)


def test_importing_without_starlette_names_the_extra() -> None:
    """Without Starlette installed, the import error says which extra to install."""
    assert scenarios.import_error_without("starlette", "starlette") == (
        "injectkit.integrations.starlette needs Starlette, which is not installed: "
        'python -m pip install "./injectkit[starlette]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[starlette]" once it is on PyPI)'
    )


async def test_an_override_changes_what_running_endpoints_read(recorder: Recorder) -> None:
    """container.override on a running app: the fake runs, and its own free parameters
    are read from the query; when the override ends, the real provider is back."""

    def flavour_of() -> str:
        return "real"

    def fake_flavour(flavour: str = "plain") -> str:
        return f"fake {flavour}"

    @inject
    async def show(taste: Annotated[str, Depends(flavour_of)]) -> dict[str, str]:
        return {"taste": taste}

    container = make_container(recorder, HTTPConnection)
    app = Starlette(routes=[Route("/show", show)])
    setup(app, container)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            before = (await client.get("/show", params={"flavour": "spicy"})).json()
            with container.override(flavour_of, fake_flavour):
                during = (await client.get("/show", params={"flavour": "spicy"})).json()
            after = (await client.get("/show", params={"flavour": "spicy"})).json()
    assert (before, during, after) == (
        {"taste": "real"},
        {"taste": "fake spicy"},
        {"taste": "real"},
    )


def test_setup_twice_leaves_one_middleware() -> None:
    """A refused second setup() leaves the app with the one middleware it had."""
    app, container = Starlette(), Container()
    setup(app, container)
    with pytest.raises(InjectionError, match=r"already been called for this Starlette\napp\."):
        setup(app, container)
    assert sum(m.cls is InjectKitMiddleware for m in app.user_middleware) == 1


async def test_httpendpoint_method_is_injected_then_tasks_after_the_response_then_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """An injected HTTPEndpoint method: values injected, tasks after the response, finalizers."""
    from starlette.endpoints import HTTPEndpoint

    blocking_task = scenarios.blocking_task(recorder, gate)

    class NotifyView(HTTPEndpoint):
        @inject
        async def post(self, email: str, tasks: BackgroundTasks, _: Session, __: Settings) -> Any:
            recorder("handler")
            tasks.add_task(blocking_task, f"task for {email}")
            return {"email": email, "view": type(self).__name__}

    app = Starlette(routes=[Route("/notify/{email}", NotifyView)])
    setup(app, make_container(recorder, HTTPConnection))
    await scenarios.response_complete_before_task_then_finalizers(
        app,
        recorder,
        gate,
        scenarios.Notify("POST"),
        expected_json={"email": "a@b.c", "view": "NotifyView"},
    )


async def test_httpendpoint_method_with_a_broken_graph_stops_startup(recorder: Recorder) -> None:
    """An injected HTTPEndpoint method is validated at startup like a function endpoint."""
    from starlette.endpoints import HTTPEndpoint

    class Unregistered:
        pass

    class BrokenView(HTTPEndpoint):
        @inject
        async def get(self, thing: Unregistered) -> None:
            raise AssertionError("never called")

    app = make_app(recorder, Route("/broken", BrokenView))
    log = scenarios.startup_failure_log(app)
    assert "nothing provides `thing` to BrokenView.get" in log
