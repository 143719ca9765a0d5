"""The Falcon adapter on real servers: ``falcon.App`` under werkzeug's threaded WSGI server,
``falcon.asgi.App`` under uvicorn, each with a real httpx client.

Each scenario runs for both kinds of app (the ``kind`` parameter); the resources are the
same but for ``def`` / ``async def`` responders.  The client side runs on asyncio and
trio (the servers run in their own threads).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
import falcon
import falcon.asgi
import falcon.testing
import httpx
import pytest
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wsgi import ClosingIterator

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.integrations.falcon import get_scope, inject, setup

from . import _scenarios as scenarios
from .conftest import (
    TIMEOUT,
    Gate,
    Recorder,
    Session,
    Settings,
    load_example,
    make_container,
    serve_asgi,
    serve_in_thread,
)

pytestmark = pytest.mark.anyio

KINDS = ["wsgi", "asgi"]


# --- real servers ---------------------------------------------------------------------------


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app with werkzeug's threaded server on a free 127.0.0.1 port."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    try:
        with serve_in_thread(
            lambda: server.serve_forever(poll_interval=0.05),
            server.shutdown,
            lambda: True,  # make_server has bound and is listening already
        ):
            yield f"http://127.0.0.1:{server.port}"
    finally:
        server.server_close()


def server_for(kind: str, container: Container) -> Callable[[Any], AbstractContextManager[str]]:
    """How to serve an app of ``kind``: uvicorn (lifespan shutdown closes the container),
    or werkzeug followed by ``container.close()``, what a WSGI server's shutdown hook does
    (the exit hook is tested in a subprocess below)."""
    if kind == "asgi":
        return serve_asgi

    @contextmanager
    def serve(app: Any) -> Iterator[str]:
        try:
            with serve_wsgi(app) as url:
                yield url
        finally:
            container.close()

    return serve


# --- the apps under test --------------------------------------------------------------------


class Connection:
    """What the shared ``Session`` provider reads its ``tag`` from: the query of a Falcon
    request (resolved from the request context by the annotation of ``req``)."""

    def __init__(self, req: falcon.Request) -> None:
        self.query_params = req.params


def falcon_container(recorder: Recorder) -> Container:
    """The shared container (Settings, Session recording its life) for Falcon requests."""
    container = make_container(recorder, Connection)
    container.register(Connection)
    return container


def make_app(kind: str, recorder: Recorder, gate: Gate, container: Container) -> Any:
    """The scenario routes (``/notify/{email}``, ``/fail``, ``/missing``, ``/items/{n}``,
    ``/slow``) on an app of ``kind``, set up with ``container``."""
    blocking_task = scenarios.blocking_task(recorder, gate)
    get_query = scenarios.query_task(recorder)
    QueryTasks = Annotated[int, Depends(get_query)]

    def notify_body(email: str, tasks: BackgroundTasks, seen: int) -> dict[str, Any]:
        recorder("handler")
        tasks.add_task(blocking_task, f"task for {email}")
        return {"email": email, "same_tasks": seen == id(tasks)}

    def fail_body(tasks: BackgroundTasks, error: Exception) -> None:
        tasks.add_task(recorder, "dropped task")
        raise error

    if kind == "wsgi":
        app: Any = falcon.App()

        class Notify:
            @inject
            def on_post(
                self, req, resp, email: str, tasks: BackgroundTasks, session: Session,
                settings: Settings, seen: QueryTasks,
            ) -> None:  # fmt: skip
                resp.media = notify_body(email, tasks, seen)

        class Fail:
            @inject
            def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                fail_body(tasks, RuntimeError("handler failed"))

        class Missing:
            @inject
            def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                fail_body(tasks, falcon.HTTPNotFound(title="no such thing"))

        class Item:
            @inject
            def on_get(self, req, resp, item_id: int, limit: int = 10, flag: bool = False) -> None:
                resp.media = {"item_id": item_id, "limit": limit, "flag": flag}

        class Slow:
            @inject
            def on_get(self, req, resp, session: Session) -> None:
                recorder("handler entered")
                gate.wait()
                recorder("handler released")
                resp.text = "x" * 100_000

    else:
        app = falcon.asgi.App()

        class Notify:  # type: ignore[no-redef]
            @inject
            async def on_post(
                self, req, resp, email: str, tasks: BackgroundTasks, session: Session,
                settings: Settings, seen: QueryTasks,
            ) -> None:  # fmt: skip
                resp.media = notify_body(email, tasks, seen)

        class Fail:  # type: ignore[no-redef]
            @inject
            async def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                fail_body(tasks, RuntimeError("handler failed"))

        class Missing:  # type: ignore[no-redef]
            @inject
            async def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                fail_body(tasks, falcon.HTTPNotFound(title="no such thing"))

        class Item:  # type: ignore[no-redef]
            @inject
            async def on_get(
                self, req, resp, item_id: int, limit: int = 10, flag: bool = False
            ) -> None:
                resp.media = {"item_id": item_id, "limit": limit, "flag": flag}

        class Slow:  # type: ignore[no-redef]
            @inject
            async def on_get(self, req, resp, session: Session) -> None:
                recorder("handler entered")
                await anyio.to_thread.run_sync(gate.wait)
                recorder("handler released")
                resp.text = "x" * 100_000

    app.add_route("/notify/{email}", Notify())
    app.add_route("/fail", Fail())
    app.add_route("/missing", Missing())
    app.add_route("/items/{item_id:int}", Item())
    app.add_route("/slow", Slow())
    setup(app, container, close_at_exit=False)
    return app


# --- after the response -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_response_complete_while_the_task_blocks_then_task_then_finalizers(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """The client has the whole response while the task blocks; then the task, then the
    request's finalizer; the app's finalizer at shutdown."""
    container = falcon_container(recorder)
    await scenarios.response_complete_before_task_then_finalizers(
        make_app(kind, recorder, gate, container),
        recorder,
        gate,
        scenarios.Notify("POST"),
        expected_json={"email": "a@b.c", "same_tasks": True},
        serve=server_for(kind, container),
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_one_background_tasks_shared_with_sub_dependency(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """The responder and its sub-dependency get one BackgroundTasks; both tasks run in order."""
    container = falcon_container(recorder)
    await scenarios.one_background_tasks_for_all(
        make_app(kind, recorder, gate, container),
        recorder,
        gate,
        scenarios.Notify("POST"),
        serve=server_for(kind, container),
    )


# --- errors and disconnects -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_responder_error_is_falcons_500_finalizers_see_it_tasks_dropped(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """A responder that raises: Falcon's own 500, the finalizer sees the error, no task."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, gate, container)
    with server_for(kind, container)(app) as url:
        async with scenarios.asgi_client(url) as client:
            failed = await scenarios.failed_request(client, recorder, "/fail", 500, "RuntimeError")
    assert failed.json()["title"] == "500 Internal Server Error"
    assert "dropped task" not in recorder.events
    assert recorder.events[:2] == ["session opened", "session closed after RuntimeError"]


@pytest.mark.parametrize("kind", KINDS)
async def test_http_error_keeps_its_status_and_drops_tasks(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """A raised ``falcon.HTTPNotFound`` is Falcon's 404; the request still ends as failed."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, gate, container)
    with server_for(kind, container)(app) as url:
        async with scenarios.asgi_client(url) as client:
            missing = await scenarios.failed_request(
                client, recorder, "/missing", 404, "HTTPNotFound"
            )
            # a second request proves the first one has finished closing
            assert (await client.get("/items/1")).status_code == 200
    assert missing.json()["title"] == "no such thing"
    assert "dropped task" not in recorder.events


@pytest.mark.parametrize("kind", KINDS)
async def test_client_disconnecting_mid_request_still_runs_finalizers(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """The client hangs up while the responder works; the finalizer still runs."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, gate, container)
    with server_for(kind, container)(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            client.sendall(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await recorder.await_for("handler entered")
        gate.open()
        events = await recorder.await_for("session closed")
    assert events == ["session opened", "handler entered", "handler released", "session closed"]


# --- request-scoped values ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_200_concurrent_requests_each_see_their_own_session(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """200 requests in flight at once: a session each, shared with the sub-dependency, each
    closed."""
    count = 200
    container = falcon_container(recorder)
    app = make_app(kind, recorder, gate, container)
    Via = Annotated[str, Depends(scenarios.token_of)]
    if kind == "wsgi":
        all_in = threading.Barrier(count, timeout=TIMEOUT)

        class WhoAmI:
            @inject
            def on_get(self, req, resp, n: int, session: Session, via_dependency: Via) -> None:
                all_in.wait()  # every request is being handled at the same time
                resp.media = {"n": n, "session": session.token, "via_dependency": via_dependency}

    else:
        all_in_flight = scenarios.AllInFlight(count)

        class WhoAmI:  # type: ignore[no-redef]
            @inject
            async def on_get(
                self, req, resp, n: int, session: Session, via_dependency: Via
            ) -> None:
                await all_in_flight.arrive()  # all the requests' scopes are open here
                resp.media = {"n": n, "session": session.token, "via_dependency": via_dependency}

    app.add_route("/whoami", WhoAmI())  # added after setup: prepared on its first request
    with server_for(kind, container)(app) as url:
        results = await scenarios.fetch_all_at_once(url, count, lambda n: f"/whoami?n={n}")
    assert all(r["n"] == n for n, r in results.items())
    assert all(r["session"] == r["via_dependency"] for r in results.values())
    assert len({r["session"] for r in results.values()}) == count
    assert recorder.events.count("session closed") == count


@pytest.mark.parametrize("kind", KINDS)
async def test_route_fields_then_query_are_converted_and_bad_values_are_422(
    kind: str, recorder: Recorder, gate: Gate
) -> None:
    """Free parameters come from the route's fields, then the query, converted; a value
    that does not convert is a 422 naming it."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, gate, container)
    with server_for(kind, container)(app) as url:
        async with scenarios.asgi_client(url) as client:
            good = await client.get("/items/7", params={"limit": "3", "flag": "yes"})
            bad = await client.get("/items/7", params={"limit": "many"})
    assert good.json() == {"item_id": 7, "limit": 3, "flag": True}
    assert bad.status_code == 422
    assert [(d["loc"], d["type"]) for d in bad.json()["detail"]] == [
        (["query", "limit"], "int_parsing")
    ]


@pytest.mark.parametrize("kind", KINDS)
async def test_req_resp_and_get_scope_share_the_responders_request(
    kind: str, recorder: Recorder
) -> None:
    """A provider annotated ``falcon.Request``/``falcon.Response`` gets the responder's own
    objects, and ``get_scope(req, resp)`` is the responder's scope."""
    container = Container()

    def path_of(req: falcon.Request, resp: falcon.Response) -> str:
        resp.set_header("X-Seen", "yes")
        return req.path

    Path_ = Annotated[str, Depends(path_of)]
    if kind == "wsgi":
        app: Any = falcon.App()

        class Where:
            @inject
            def on_get(self, req, resp, path: Path_, tasks: BackgroundTasks) -> None:
                same = get_scope(req, resp).resolve_sync(BackgroundTasks) is tasks
                resp.media = {"path": path, "same": same}

    else:
        app = falcon.asgi.App()

        class Where:  # type: ignore[no-redef]
            @inject
            async def on_get(self, req, resp, path: Path_, tasks: BackgroundTasks) -> None:
                same = await get_scope(req, resp).resolve(BackgroundTasks) is tasks
                resp.media = {"path": path, "same": same}

    app.add_route("/where", Where())
    setup(app, container, close_at_exit=False)
    with server_for(kind, container)(app) as url:
        response = httpx.get(f"{url}/where", timeout=TIMEOUT)
    assert response.json() == {"path": "/where", "same": True}
    assert response.headers["X-Seen"] == "yes"


# --- start-up and shutdown ------------------------------------------------------------------


class Unregistered:
    pass


def broken_resource(kind: str) -> Any:
    if kind == "wsgi":

        class Broken:
            @inject
            def on_get(self, req, resp, thing: Unregistered) -> None:
                raise AssertionError("never called")

        return Broken()

    class AsyncBroken:
        @inject
        async def on_get(self, req, resp, thing: Unregistered) -> None:
            raise AssertionError("never called")

    return AsyncBroken()


BROKEN = "`Unregistered` is not registered in the container, so nothing provides `thing`"


async def test_wsgi_setup_refuses_a_broken_graph(recorder: Recorder) -> None:
    """``setup`` of a ``falcon.App`` raises the InjectionError of a broken responder."""
    app = falcon.App()
    app.add_route("/broken", broken_resource("wsgi"))
    with pytest.raises(InjectionError) as raised:
        setup(app, falcon_container(recorder), close_at_exit=False)
    assert type(app) is falcon.App  # left as it was
    assert BROKEN in " ".join(str(raised.value).split())
    assert "Broken.on_get" in str(raised.value)


async def test_asgi_startup_fails_on_a_broken_graph(recorder: Recorder) -> None:
    """A ``falcon.asgi.App`` with a broken responder fails lifespan startup with the
    InjectionError; the app scope never opened, so nothing closes."""
    app = falcon.asgi.App()
    app.add_route("/broken", broken_resource("asgi"))
    setup(app, falcon_container(recorder))
    log = scenarios.startup_failure_log(app)
    assert BROKEN in " ".join(log.split())
    assert "AsyncBroken.on_get" in log
    assert "settings closed" not in recorder.events


async def test_asgi_app_scope_closes_at_shutdown(recorder: Recorder, gate: Gate) -> None:
    """App-scoped finalizers of a ``falcon.asgi.App`` run at lifespan shutdown, not before."""
    gate.open()
    app = make_app("asgi", recorder, gate, falcon_container(recorder))
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            await client.post("/notify/a@b.c")
            await recorder.await_for("session closed")
        assert "settings closed" not in recorder.events
    assert recorder.events[-1] == "settings closed"


def test_wsgi_app_scope_closes_at_interpreter_exit(tmp_path: Path) -> None:
    """With the default ``close_at_exit``, a ``falcon.App``'s app scope closes at exit."""
    lines = scenarios.program_lines(
        """
        from collections.abc import Iterator

        import falcon
        import falcon.testing

        from injectkit import Container
        from injectkit.integrations.falcon import inject, setup

        class Pool:
            pass

        container = Container()

        @container.provider(scope="app")
        def pool() -> Iterator[Pool]:
            print("pool opened", flush=True)
            yield Pool()
            print("pool closed", flush=True)

        class Index:
            @inject
            def on_get(self, req, resp, pool: Pool) -> None:
                resp.text = "ok"

        app = falcon.App()
        app.add_route("/", Index())
        setup(app, container)
        result = falcon.testing.TestClient(app).simulate_get("/")
        print(result.status_code, result.text, flush=True)
        print("end of the program", flush=True)
        """,
        tmp_path,
    )
    assert lines == [
        "pool opened",
        "200 ok",
        "end of the program",
        "pool closed",
    ]


def test_setup_twice_and_bad_arguments_are_refused() -> None:
    """A second ``setup``, swapped arguments and a non-Falcon app are InjectionErrors."""
    app = falcon.App()
    container = Container()
    with pytest.raises(InjectionError, match="arguments are swapped"):
        setup(container, app)  # type: ignore[arg-type]
    with pytest.raises(InjectionError, match=r"takes a falcon\.App or falcon\.asgi\.App"):
        setup(object(), container)  # type: ignore[arg-type]
    setup(app, container, close_at_exit=False)
    assert isinstance(app, falcon.App)
    with pytest.raises(InjectionError, match="already been called"):
        setup(app, container, close_at_exit=False)


def test_inject_refuses_a_function_that_is_not_a_responder() -> None:
    """``@inject`` on a function without (self, req, resp) says what a responder is."""
    with pytest.raises(InjectionError, match=r"taking \(self, req, resp, \.\.\.\)"):

        @inject
        def handler(email: str) -> None: ...


def test_get_scope_without_setup_names_the_fix() -> None:
    """``get_scope`` in an app that was never set up says to call ``setup``."""
    app = falcon.App()
    seen: list[str] = []

    class Where:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            try:
                get_scope(req, resp)
            except InjectionError as error:
                seen.append(str(error))

    app.add_route("/", Where())
    falcon.testing.TestClient(app).simulate_get("/")
    assert "This Falcon app has no injectkit container." in seen[0]
    assert "injectkit.integrations.falcon.setup(app, container)" in seen[0]


# --- the seed's examples --------------------------------------------------------------------


def signalling(app: Any, done: threading.Semaphore) -> Any:
    """``app`` wrapped so that ``done`` is released once each request has been closed
    (its tasks and finalizers run): a WSGI body closed after the adapter's, or an ASGI
    call that returned."""
    if not isinstance(app, falcon.asgi.App):
        return lambda environ, start: ClosingIterator(app(environ, start), done.release)

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, receive, send)
        if scope["type"] == "http":
            done.release()

    return asgi


@pytest.mark.parametrize(
    ("factory", "serve"), [("create_app", serve_wsgi), ("create_asgi_app", serve_asgi)]
)
async def test_seed_examples_write_the_log_after_the_response(
    factory: str, serve: Callable[[Any], AbstractContextManager[str]], tmp_path: Path
) -> None:
    """examples/falcon/tutorial001.py and tutorial002.py, WSGI and ASGI: the responses, then
    the log lines their tasks write."""
    done = threading.Semaphore(0)

    async def post(client: httpx.AsyncClient, path: str, **params: str) -> Any:
        response = await client.post(path, params=params)
        assert await anyio.to_thread.run_sync(done.acquire, True, TIMEOUT)
        return response.json()

    first = load_example("falcon/tutorial001.py")
    second = load_example("falcon/tutorial002.py")
    log1, log2 = tmp_path / "one.txt", tmp_path / "two.txt"
    with serve(signalling(getattr(first, factory)(first.Settings(log1)), done)) as url:
        async with scenarios.asgi_client(url) as client:
            sent = await post(client, "/send-notification/a@b.c")
    assert sent == {"message": "Notification sent in the background"}
    assert log1.read_text() == "notification for a@b.c: some notification"
    with serve(signalling(getattr(second, factory)(second.Settings(log2)), done)) as url:
        async with scenarios.asgi_client(url) as client:
            assert await post(client, "/send-notification/a@b.c", q="x") == {
                "message": "Message sent"
            }
            await post(client, "/send-notification/c@d.e")
    assert log2.read_text() == "found query: x\nmessage to a@b.c\nmessage to c@d.e\n"


def test_importing_the_adapter_without_falcon_names_the_extra() -> None:
    """Without Falcon installed, the ImportError says which extra to install."""
    assert scenarios.import_error_without("falcon", "falcon") == (
        "injectkit.integrations.falcon needs Falcon, which is not installed: "
        'python -m pip install "./injectkit[falcon]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[falcon]" once it is on PyPI)'
    )
