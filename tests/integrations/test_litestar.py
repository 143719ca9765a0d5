"""The Litestar adapter on a real uvicorn server with a real httpx client."""

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
import pytest
from litestar import Litestar, Request, Response, WebSocket, get, websocket
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from injectkit import BackgroundTasks, Depends
from injectkit.integrations.litestar import FromContainer, InjectKitPlugin, inject, provide, setup

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


def make_handlers(recorder: Recorder, gate: Gate) -> list[Any]:
    def blocking_task(name: str) -> None:
        recorder(f"{name} started")
        gate.wait()
        recorder(f"{name} done")

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> int:
        if q:
            tasks.add_task(recorder, f"query task {q}")
        return id(tasks)

    @inject
    async def current_user(x_user: FromQuery[str], tasks: BackgroundTasks) -> dict[str, Any]:
        """A Litestar dependency that injectkit also serves (x_user: Litestar's query)."""
        return {"name": x_user, "tasks": id(tasks)}

    @get(
        "/notify/{email:str}",
        dependencies={"user": Provide(current_user), "via_provide": Provide(provide(Session))},
    )
    @inject
    async def notify(
        email: FromPath[str],
        user: NamedDependency[dict[str, Any]],
        via_provide: NamedDependency[Session],
        tasks: BackgroundTasks,
        session: FromContainer[Session],
        settings: FromContainer[Settings],
        via_query: Annotated[int, Depends(get_query)],
    ) -> dict[str, Any]:
        recorder("handler")
        tasks.add_task(blocking_task, f"task for {email}")
        return {
            "email": email,
            "user": user["name"],
            "same_tasks": via_query == id(tasks) == user["tasks"],
            "same_session": via_provide is session,
        }

    @get("/fail")
    @inject
    async def fail(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
        tasks.add_task(recorder, "dropped task")
        raise RuntimeError("handler failed")

    @get("/missing")
    @inject
    async def missing(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
        tasks.add_task(recorder, "dropped task")
        raise NotFoundException("no such thing")

    @get("/own-background")
    @inject
    async def own_background(
        tasks: BackgroundTasks, session: FromContainer[Session]
    ) -> Response[dict[str, bool]]:
        tasks.add_task(recorder, "injectkit task")
        return Response({"ok": True}, background=BackgroundTask(recorder, "response task"))

    def limit_of(limit: int = 10) -> int:
        return limit

    @get("/items/{item_id:int}")
    @inject
    def items(
        item_id: FromPath[int],
        limit: Annotated[int, Depends(limit_of)],
        q: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """A sync handler: Litestar's path and query parameters next to injectkit's."""
        return {"item_id": item_id, "limit": limit, "q": q}

    @get("/disconnect")
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

    @get("/whoami")
    @inject
    async def whoami(
        n: FromQuery[int],
        session: FromContainer[Session],
        via: Annotated[str, Depends(token_of)],
    ) -> dict[str, Any]:
        if not everyone_in:
            everyone_in.append(anyio.Event())
        if next(arrived) == count:
            everyone_in[0].set()
        await everyone_in[0].wait()  # all 200 scopes are open at this point
        return {"n": n, "session": session.token, "via_dependency": via}

    @websocket("/ws")
    @inject
    async def echo(
        socket: WebSocket, session: FromContainer[Session], tasks: BackgroundTasks
    ) -> None:
        await socket.accept()
        tasks.add_task(recorder, "websocket task")
        text = await socket.receive_text()
        await socket.send_text(f"echo {text} {len(session.token)}")
        await socket.close()
        recorder("websocket closed")

    return [notify, fail, missing, own_background, items, wait_for_disconnect, whoami, echo]


def make_app(recorder: Recorder, gate: Gate) -> Litestar:
    container = make_container(recorder, ASGIConnection)
    return Litestar(make_handlers(recorder, gate), plugins=[InjectKitPlugin(container)])


async def test_response_complete_before_task_then_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """The client has the whole response while the task blocks; then the task, then finalizers."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/notify/a@b.c", params={"tag": "r1", "x_user": "ann"})
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


async def test_one_background_tasks_for_handler_and_dependencies(
    recorder: Recorder, gate: Gate
) -> None:
    """Handler, injectkit sub-dependency and Litestar dependency share one BackgroundTasks."""
    gate.open()
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/notify/x@y.z", params={"q": "hello", "x_user": "b"})
            assert response.json()["same_tasks"] is True
            events = await recorder.await_for("session closed")
    tasks = [e for e in events if "task" in e]
    assert tasks == ["query task hello", "task for x@y.z started", "task for x@y.z done"]


async def test_response_with_its_own_background_keeps_injected_tasks(
    recorder: Recorder, gate: Gate
) -> None:
    """A Response(background=...) runs its task, and injectkit's still run after it."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/own-background")
            assert response.json() == {"ok": True}
            events = await recorder.await_for("session closed")
    assert events == ["session opened", "response task", "injectkit task", "session closed"]


async def test_handler_error_is_a_500_finalizers_run_tasks_dropped(
    recorder: Recorder, gate: Gate
) -> None:
    """A handler error: Litestar's 500, the finalizer sees the error, the task never runs."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/fail")
            assert response.status_code == 500
            assert response.json() == {"status_code": 500, "detail": "Internal Server Error"}
            await recorder.await_for("session closed after RuntimeError")
            response = await client.get("/missing")
            assert response.status_code == 404
            assert response.json()["detail"] == "no such thing"
            await recorder.await_for("session closed after NotFoundException")
    assert "dropped task" not in recorder.events


async def test_client_disconnect_mid_request_still_runs_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """A client that hangs up while the handler runs: the request's finalizers still run."""
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


async def test_litestar_and_injectkit_parameters_are_validated(
    recorder: Recorder, gate: Gate
) -> None:
    """Litestar's parameters and injectkit's free ones both give Litestar's 400 body."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            ok = await client.get("/items/3", params={"limit": "2", "q": "abc"})
            bad_limit = await client.get("/items/3", params={"limit": "lots"})
    assert ok.json() == {"item_id": 3, "limit": 2, "q": "abc"}
    assert bad_limit.status_code == 400
    assert bad_limit.json()["extra"] == [
        {
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "key": "limit",
            "source": "query",
        }
    ]


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
    """A handler or a dependency with an unsolvable graph stops start-up with the error."""

    class Unregistered:
        pass

    @inject
    async def deep(thing: FromContainer[Unregistered]) -> None: ...

    @get("/broken", dependencies={"value": Provide(deep)})
    async def broken(value: NamedDependency[None]) -> None: ...

    container = make_container(recorder, ASGIConnection)
    app = Litestar([broken], plugins=[InjectKitPlugin(container)])
    with pytest.raises(ServerDidNotStart) as failure:
        with serve_asgi(app):
            pass
    log = "\n".join(failure.value.messages)
    assert "Parameter 'thing: Unregistered' of deep cannot be provided" in log
    assert "settings closed" not in recorder.events


async def test_setup_on_an_existing_app(recorder: Recorder, gate: Gate) -> None:
    """setup(app, container) gives an app built without the plugin the same behaviour."""
    gate.open()
    app = Litestar(make_handlers(recorder, gate))
    setup(app, make_container(recorder, ASGIConnection))
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            response = await client.get("/notify/a@b.c", params={"q": "z", "x_user": "c"})
            assert response.json()["same_tasks"] is True
            events = await recorder.await_for("session closed")
            assert (await client.get("/fail")).status_code == 500
            await recorder.await_for("session closed after RuntimeError")
    assert [e for e in events if "task" in e] == [
        "query task z",
        "task for a@b.c started",
        "task for a@b.c done",
    ]
    assert "dropped task" not in recorder.events
    assert recorder.events[-1] == "settings closed"


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/litestar: tutorial001 and tutorial002 write their log lines after responding."""
    first = load_example("litestar/tutorial001.py")
    second = load_example("litestar/tutorial002.py")
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


def test_importing_without_litestar_names_the_extra() -> None:
    """Without Litestar installed, the import error says which extra to install."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["litestar"] = None
        try:
            import injectkit.integrations.litestar
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert 'pip install "injectkit[litestar]"' in out.stdout
