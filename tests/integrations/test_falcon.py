"""The Falcon adapter on real servers: ``falcon.App`` under werkzeug's threaded WSGI server,
``falcon.asgi.App`` under uvicorn, each with a real httpx client.

The shared scenarios run for both kinds of app in test_adapter_scenarios.py; the tests
here are Falcon's own, each for both kinds (the ``kind`` parameter): the resources are the
same but for ``def`` / ``async def`` responders.  The client side runs on asyncio and
trio (the servers run in their own threads).
"""

from __future__ import annotations

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
from werkzeug.wsgi import ClosingIterator

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.integrations.falcon import get_scope, inject, setup

from . import _scenarios as scenarios
from .conftest import (
    TIMEOUT,
    Recorder,
    Session,
    load_example,
    make_container,
    serve_asgi,
    serve_wsgi,
)

pytestmark = pytest.mark.anyio

KINDS = ["wsgi", "asgi"]


# --- real servers ---------------------------------------------------------------------------


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


def make_app(kind: str, recorder: Recorder, container: Container) -> Any:
    """``/missing`` (adds a task, raises HTTPNotFound) and ``/items/{item_id}`` on an app of
    ``kind``, set up with ``container`` (the shared scenarios' routes are in
    _adapter_kits.py)."""

    def fail_body(tasks: BackgroundTasks, error: Exception) -> None:
        tasks.add_task(recorder, "dropped task")
        raise error

    if kind == "wsgi":
        app: Any = falcon.App()

        class Missing:
            @inject
            def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                fail_body(tasks, falcon.HTTPNotFound(title="no such thing"))

        class Item:
            @inject
            def on_get(self, req, resp, item_id: int, limit: int = 10, flag: bool = False) -> None:
                resp.media = {"item_id": item_id, "limit": limit, "flag": flag}

    else:
        app = falcon.asgi.App()

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

    app.add_route("/missing", Missing())
    app.add_route("/items/{item_id:int}", Item())
    setup(app, container, close_at_exit=False)
    return app


# --- errors and disconnects -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_http_error_keeps_its_status_and_drops_tasks(kind: str, recorder: Recorder) -> None:
    """A raised ``falcon.HTTPNotFound`` is Falcon's 404; the request still ends as failed."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, container)
    with server_for(kind, container)(app) as url:
        async with scenarios.asgi_client(url) as client:
            missing = await scenarios.failed_request(
                client, recorder, "/missing", 404, "HTTPNotFound"
            )
            # a second request proves the first one has finished closing
            assert (await client.get("/items/1")).status_code == 200
    assert missing.json()["title"] == "no such thing"
    assert "dropped task" not in recorder.events


# --- request-scoped values ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_a_resource_added_after_setup_is_injected_from_its_first_request(
    kind: str, recorder: Recorder
) -> None:
    """A route added after ``setup`` is prepared on its first request: values, finalizer."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, container)
    if kind == "wsgi":

        class Late:
            @inject
            def on_get(self, req, resp, n: int, session: Session) -> None:
                resp.media = {"n": n, "token": len(session.token)}

    else:

        class Late:  # type: ignore[no-redef]
            @inject
            async def on_get(self, req, resp, n: int, session: Session) -> None:
                resp.media = {"n": n, "token": len(session.token)}

    app.add_route("/late", Late())
    with server_for(kind, container)(app) as url:
        async with scenarios.asgi_client(url) as client:
            first = await client.get("/late", params={"n": "1"})
            second = await client.get("/late", params={"n": "2"})
        await recorder.await_for("session closed")
    assert (first.json(), second.json()) == ({"n": 1, "token": 32}, {"n": 2, "token": 32})
    assert recorder.events.count("session closed") == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_route_fields_then_query_are_converted_and_bad_values_are_422(
    kind: str, recorder: Recorder
) -> None:
    """Free parameters come from the route's fields, then the query, converted; a value
    that does not convert is a 422 naming it."""
    container = falcon_container(recorder)
    app = make_app(kind, recorder, container)
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


# --- start-up and the exit hook -------------------------------------------------------------


class Unregistered:
    pass


class Broken:
    @inject
    def on_get(self, req, resp, thing: Unregistered) -> None:
        raise AssertionError("never called")


async def test_wsgi_setup_refusing_a_broken_graph_leaves_the_app_as_it_was(
    recorder: Recorder,
) -> None:
    """``setup`` refusing a broken responder leaves the ``falcon.App`` as it was."""
    app = falcon.App()
    app.add_route("/broken", Broken())
    with pytest.raises(InjectionError):
        setup(app, falcon_container(recorder), close_at_exit=False)
    assert type(app) is falcon.App


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
