"""The Django adapter on real servers: sync views under werkzeug's threaded WSGI server,
async views under uvicorn (Django's ASGI handler), with real HTTP clients.

Django is configured once for the test process (``django_settings``); each test routes
its own URLconf (a module made for it) with ``override_settings(ROOT_URLCONF=...)``.
Django's ASGI handler runs on asyncio only, so the async tests run on asyncio alone.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import sys
import threading
import types
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import django
import httpx
import pytest
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from werkzeug.serving import BaseWSGIServer, make_server

from injectkit import BackgroundTasks, Container, Depends, InjectionError, ScopeError
from injectkit.integrations.django import (
    MIDDLEWARE_PATH,
    check_middleware_installed,
    get_scope,
    inject,
    lifespan,
    setup,
)

from . import _scenarios as scenarios
from .conftest import (
    TIMEOUT,
    Gate,
    Recorder,
    ServerDidNotStart,
    Session,
    Settings,
    make_container,
    serve_asgi,
    serve_in_thread,
)

pytestmark = pytest.mark.anyio

MIDDLEWARE = [
    MIDDLEWARE_PATH,
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Django's ASGI handler is asyncio code


@pytest.fixture(scope="module", autouse=True)
def django_settings() -> None:
    """Configure Django once for the process (settings are process-wide)."""
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["*"],
            SECRET_KEY="injectkit-tests",
            ROOT_URLCONF=None,
            MIDDLEWARE=MIDDLEWARE,
            INSTALLED_APPS=[],
            USE_TZ=True,
        )
        django.setup()


_names = itertools.count()


@contextmanager
def routed(urlpatterns: list[Any]) -> Iterator[None]:
    """Make ``urlpatterns`` the root URLconf (a module of its own) while in the block."""
    name = f"injectkit_test_urls_{next(_names)}"
    module = types.ModuleType(name)
    module.urlpatterns = urlpatterns  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        with override_settings(ROOT_URLCONF=name, MIDDLEWARE=MIDDLEWARE):
            yield
    finally:
        del sys.modules[name]


@contextmanager
def serve_wsgi(urlpatterns: list[Any]) -> Iterator[str]:
    """Django's WSGI handler for ``urlpatterns`` on werkzeug's threaded server."""
    with routed(urlpatterns):
        server: BaseWSGIServer = make_server("127.0.0.1", 0, WSGIHandler(), threaded=True)
        try:
            with serve_in_thread(
                lambda: server.serve_forever(poll_interval=0.05), server.shutdown, lambda: True
            ):
                yield f"http://127.0.0.1:{server.port}"
        finally:
            server.server_close()


@contextmanager
def serve_django_asgi(urlpatterns: list[Any], container: Container) -> Iterator[str]:
    """Django's ASGI handler (with :func:`lifespan`) for ``urlpatterns`` under uvicorn."""
    with routed(urlpatterns), serve_asgi(lifespan(ASGIHandler(), container)) as url:
        yield url


# --- the apps under test ------------------------------------------------------------------


def async_app(recorder: Recorder, gate: Gate, *extra: Any) -> tuple[list[Any], Container]:
    """Async views for the shared scenarios' routes, set up with the shared container."""
    blocking_task = scenarios.blocking_task(recorder, gate)
    get_query = scenarios.query_task(recorder)

    @inject
    async def notify(
        email: str,
        tasks: BackgroundTasks,
        session: Session,
        settings: Settings,
        tasks_seen_by_dependency: Annotated[int, Depends(get_query)],
    ) -> dict[str, Any]:
        recorder("handler")
        tasks.add_task(blocking_task, f"task for {email}")
        return {"email": email, "same_tasks": tasks_seen_by_dependency == id(tasks)}

    @inject
    async def fail(tasks: BackgroundTasks, session: Session) -> None:
        tasks.add_task(recorder, "dropped task")
        raise RuntimeError("handler failed")

    @inject
    async def wait_for_disconnect(session: Session) -> None:
        recorder("handler waiting")
        try:
            await asyncio.sleep(TIMEOUT)
        except asyncio.CancelledError:  # Django cancels the view when the client leaves
            recorder("handler saw the disconnect")
            raise

    container = make_container(recorder, HttpRequest)
    urlpatterns = [
        path("notify/<str:email>", notify),
        path("fail", fail),
        path("disconnect", wait_for_disconnect),
        *extra,
    ]
    setup(urlpatterns, container, close_at_exit=False)
    return urlpatterns, container


def sync_app(recorder: Recorder, gate: Gate, *extra: Any) -> list[Any]:
    """The same routes as sync views, for the WSGI server."""
    blocking_task = scenarios.blocking_task(recorder, gate)
    get_query = scenarios.query_task(recorder)

    @inject
    def notify(
        email: str,
        tasks: BackgroundTasks,
        session: Session,
        tasks_seen_by_dependency: Annotated[int, Depends(get_query)],
    ) -> dict[str, Any]:
        recorder("handler")
        tasks.add_task(blocking_task, f"task for {email}")
        return {"email": email, "same_tasks": tasks_seen_by_dependency == id(tasks)}

    @inject
    def fail(tasks: BackgroundTasks, session: Session) -> None:
        tasks.add_task(recorder, "dropped task")
        raise RuntimeError("handler failed")

    @inject
    def slow(session: Session) -> HttpResponse:
        recorder("view entered")
        gate.wait()
        recorder("view released")
        return HttpResponse(b"x" * 100_000)

    container = make_container(recorder, HttpRequest)
    urlpatterns = [
        path("notify/<str:email>", notify),
        path("fail", fail),
        path("slow", slow),
        *extra,
    ]
    setup(urlpatterns, container, close_at_exit=False)
    return urlpatterns


# --- ASGI: async views under uvicorn --------------------------------------------------------


async def test_asgi_response_complete_before_task_then_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: the client holds the whole response while the task blocks; then the task,
    then the request's finalizer; the app's finalizer at shutdown."""
    urlpatterns, container = async_app(recorder, gate)
    with routed(urlpatterns):
        app = lifespan(ASGIHandler(), container)
        await scenarios.response_complete_before_task_then_finalizers(
            app,
            recorder,
            gate,
            scenarios.Notify("POST"),
            expected_json={"email": "a@b.c", "same_tasks": True},
        )


async def test_asgi_one_background_tasks_shared_with_sub_dependency(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: the view and its sub-dependency get one BackgroundTasks; both tasks run."""
    urlpatterns, container = async_app(recorder, gate)
    with routed(urlpatterns):
        app = lifespan(ASGIHandler(), container)
        await scenarios.one_background_tasks_for_all(app, recorder, gate, scenarios.Notify("POST"))


async def test_asgi_handler_error_is_djangos_500_finalizers_see_it_tasks_dropped(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: a view that raises gets Django's 500; the finalizer sees the error; no task."""
    urlpatterns, container = async_app(recorder, gate)
    with serve_django_asgi(urlpatterns, container) as url:
        async with scenarios.asgi_client(url) as client:
            failed = await scenarios.failed_request(client, recorder, "/fail", 500, "RuntimeError")
    assert "Server Error (500)" in failed.text
    assert "dropped task" not in recorder.events
    assert recorder.events[:2] == ["session opened", "session closed after RuntimeError"]


async def test_asgi_client_disconnect_cancels_the_view_and_runs_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: the client hangs up while the view waits; Django cancels it; finalizers run."""
    urlpatterns, container = async_app(recorder, gate)
    with routed(urlpatterns):
        app = lifespan(ASGIHandler(), container)
        await scenarios.client_disconnect_runs_finalizers(
            app, recorder, closed="session closed after CancelledError"
        )


async def test_asgi_200_concurrent_requests_each_see_their_own_objects(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: 200 requests in flight at once, each with its own session, shared inside it."""
    count = 200
    all_in_flight = scenarios.AllInFlight(count)

    @inject
    async def whoami(
        n: int, session: Session, via_dependency: Annotated[str, Depends(scenarios.token_of)]
    ) -> dict[str, Any]:
        await all_in_flight.arrive()  # every request's scope is open here
        return {"n": n, "session": session.token, "via_dependency": via_dependency}

    urlpatterns, container = async_app(recorder, gate, path("whoami", whoami))
    with routed(urlpatterns):
        app = lifespan(ASGIHandler(), container)
        await scenarios.concurrent_requests_see_their_own_sessions(app, recorder, count)


async def test_asgi_streaming_response_closes_the_scope_after_the_last_chunk(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: an async StreamingHttpResponse is produced with the session open; the task
    and the finalizer run after its last chunk."""

    @inject
    async def stream(session: Session, tasks: BackgroundTasks) -> StreamingHttpResponse:
        tasks.add_task(recorder, "task")

        async def chunks() -> AsyncIterator[bytes]:
            for n in range(3):
                recorder(f"chunk {n}")
                yield f"chunk {n} of {session.token}\n".encode()

        return StreamingHttpResponse(chunks())

    urlpatterns, container = async_app(recorder, gate, path("stream", stream))
    with serve_django_asgi(urlpatterns, container) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/stream")
        events = await recorder.await_for("session closed")
    assert len(response.text.splitlines()) == 3
    assert events == ["session opened", "chunk 0", "chunk 1", "chunk 2", "task", "session closed"]


async def test_asgi_sync_view_runs_in_a_thread_and_closes_after_the_response(
    recorder: Recorder, gate: Gate
) -> None:
    """ASGI: a sync view (Django runs it in a thread) gets its scope; tasks then finalizer."""

    @inject
    def plain(session: Session, tasks: BackgroundTasks, request: HttpRequest) -> HttpResponse:
        tasks.add_task(recorder, "task")
        return HttpResponse(f"sync {request.path}")

    urlpatterns, container = async_app(recorder, gate, path("plain", plain))
    with serve_django_asgi(urlpatterns, container) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/plain")
            # Django's SecurityMiddleware ran on the way out
            assert response.headers["x-content-type-options"] == "nosniff"
        events = await recorder.await_for("session closed")
    assert response.text == "sync /plain"
    assert events == ["session opened", "task", "session closed"]


@contextmanager
def broken_urlconf() -> Iterator[None]:
    """The root URLconf is a module whose import (Django's, on first use) ends in a
    ``setup`` that finds a broken graph, as a urls.py would."""

    class Unregistered:
        pass

    @inject
    async def broken(thing: Unregistered) -> None:
        raise AssertionError("never called")

    module = types.ModuleType(f"injectkit_test_broken_urls_{next(_names)}")

    def urlconf_attribute(name: str) -> Any:
        if name == "urlpatterns":  # the module's body runs when Django first reads it
            urlpatterns = [path("sub/", include([path("broken", broken)]))]
            setup(urlpatterns, Container(), close_at_exit=False)
        raise AttributeError(name)

    module.__getattr__ = urlconf_attribute  # type: ignore[method-assign]
    sys.modules[module.__name__] = module
    try:
        with override_settings(ROOT_URLCONF=module.__name__, MIDDLEWARE=MIDDLEWARE):
            yield
    finally:
        del sys.modules[module.__name__]


BROKEN = "nothing provides `thing` to broken"


async def test_asgi_broken_graph_stops_the_server_starting() -> None:
    """ASGI: a URLconf whose setup finds a broken graph: uvicorn never serves."""
    app_module = types.ModuleType("injectkit_test_broken_asgi")
    app_module.make_application = lambda: lifespan(ASGIHandler(), Container())  # type: ignore[attr-defined]
    sys.modules[app_module.__name__] = app_module
    try:
        with broken_urlconf(), pytest.raises(ServerDidNotStart) as failure:
            with serve_asgi(f"{app_module.__name__}:make_application", factory=True):
                pass
    finally:
        del sys.modules[app_module.__name__]
    assert BROKEN in "\n".join(failure.value.messages)


def test_wsgi_broken_graph_stops_the_application_loading() -> None:
    """WSGI: the middleware loads the URLconf when Django's handler is made
    (get_wsgi_application()), so its setup's InjectionError stops the server's start."""
    with broken_urlconf(), pytest.raises(InjectionError, match=BROKEN):
        WSGIHandler()


async def test_asgi_app_scope_closes_at_shutdown(recorder: Recorder, gate: Gate) -> None:
    """ASGI: with ``lifespan``, app-scoped finalizers run when uvicorn shuts down."""
    gate.open()
    urlpatterns, container = async_app(recorder, gate)
    with serve_django_asgi(urlpatterns, container) as url:
        async with scenarios.asgi_client(url) as client:
            await client.post("/notify/a@b.c")
            await recorder.await_for("session closed")
        assert "settings closed" not in recorder.events
    assert recorder.events[-1] == "settings closed"


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/django/tutorial001.py and tutorial002.py under uvicorn: log after response."""
    with override_settings(MIDDLEWARE=MIDDLEWARE):
        scenarios.seed_examples_write_the_log_after_the_response("django", tmp_path)


# --- WSGI: sync views under werkzeug's threaded server --------------------------------------


def test_wsgi_response_complete_before_task_then_finalizers(recorder: Recorder, gate: Gate) -> None:
    """WSGI: the client holds the whole response while the task blocks; then the task,
    then the finalizer (the server closed the response)."""
    with serve_wsgi(sync_app(recorder, gate)) as url:
        response = httpx.post(f"{url}/notify/a@b.c?tag=r1", timeout=TIMEOUT)
        assert response.json() == {"email": "a@b.c", "same_tasks": True}
        recorder.wait_for("task for a@b.c started")
        assert "session closed r1" not in recorder.events
        gate.open()
        events = recorder.wait_for("session closed r1")
    assert events == [
        "session opened r1",
        "handler",
        "task for a@b.c started",
        "task for a@b.c done",
        "session closed r1",
    ]


def test_wsgi_one_background_tasks_shared_with_sub_dependency(
    recorder: Recorder, gate: Gate
) -> None:
    """WSGI: the view's and the sub-dependency's tasks share one BackgroundTasks, in order."""
    gate.open()
    with serve_wsgi(sync_app(recorder, gate)) as url:
        response = httpx.post(f"{url}/notify/x@y.z?q=hello", timeout=TIMEOUT)
        assert response.json()["same_tasks"] is True
        events = recorder.wait_for("session closed")
    tasks = [e for e in events if "task" in e]
    assert tasks == ["query task hello", "task for x@y.z started", "task for x@y.z done"]


def test_wsgi_handler_error_is_djangos_500_finalizers_see_it_tasks_dropped(
    recorder: Recorder, gate: Gate
) -> None:
    """WSGI: a view that raises gets Django's 500; the finalizer sees it; no task runs."""
    with serve_wsgi(sync_app(recorder, gate)) as url:
        response = httpx.get(f"{url}/fail", timeout=TIMEOUT)
        recorder.wait_for("session closed after RuntimeError")
    assert response.status_code == 500
    assert "Server Error (500)" in response.text
    assert recorder.events == ["session opened", "session closed after RuntimeError"]


@pytest.mark.parametrize("how", ["close", "reset"])
def test_wsgi_client_disconnecting_mid_request_still_runs_finalizers(
    how: str, recorder: Recorder, gate: Gate
) -> None:
    """WSGI: the client hangs up (FIN or RST) while the view works; finalizers still run."""
    with serve_wsgi(sync_app(recorder, gate)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            client.sendall(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            recorder.wait_for("view entered")
            if how == "reset":  # close() now sends RST instead of FIN
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        gate.open()
        recorder.wait_for("session closed")
    assert recorder.events == ["session opened", "view entered", "view released", "session closed"]


@pytest.mark.anyio
async def test_wsgi_200_concurrent_requests_each_see_their_own_objects(
    recorder: Recorder, gate: Gate
) -> None:
    """WSGI: 200 requests in flight at once: 200 tokens, each shared within its request."""
    all_in = threading.Barrier(200, timeout=TIMEOUT)

    @inject
    def token(
        n: int,
        token: scenarios.Token,
        seen: Annotated[int, Depends(scenarios.token_number)],
        request: HttpRequest,
    ) -> dict[str, Any]:
        all_in.wait()  # every request is being handled at the same time
        return {"n": n, "token": token.number, "seen": seen, "path": request.path}

    container = Container()
    container.register(scenarios.Token)
    urlpatterns = [path("token/<int:n>", token)]
    setup(urlpatterns, container, close_at_exit=False)
    with serve_wsgi(urlpatterns) as url:
        results = await scenarios.fetch_all_at_once(url, 200, lambda n: f"/token/{n}")
    scenarios.assert_each_request_has_its_own_token(results)


def test_wsgi_streaming_response_closes_the_scope_after_the_last_chunk(
    recorder: Recorder, gate: Gate
) -> None:
    """WSGI: a StreamingHttpResponse is produced with the session open; the task and the
    finalizer run after the last chunk, once the server closed the response."""

    @inject
    def stream(session: Session, tasks: BackgroundTasks) -> StreamingHttpResponse:
        tasks.add_task(recorder, "task")

        def chunks() -> Iterator[bytes]:
            for n in range(3):
                recorder(f"chunk {n}")
                yield f"chunk {n}\n".encode()

        return StreamingHttpResponse(chunks())

    with serve_wsgi(sync_app(recorder, gate, path("stream", stream))) as url:
        response = httpx.get(f"{url}/stream", timeout=TIMEOUT)
        events = recorder.wait_for("session closed")
    assert response.text == "chunk 0\nchunk 1\nchunk 2\n"
    assert events == ["session opened", "chunk 0", "chunk 1", "chunk 2", "task", "session closed"]


def test_setup_names_the_chain_of_a_broken_graph() -> None:
    """A provider needing an unregistered service stops ``setup`` with the chain."""

    class Database:
        pass

    def repository(db: Database) -> str:
        return "repo"

    @inject
    def index(repo: Annotated[str, Depends(repository)]) -> str:
        return repo

    with pytest.raises(InjectionError) as caught:
        setup([path("", index)], Container(), close_at_exit=False)
    assert "index -> repository" in str(caught.value)


def test_setup_refuses_an_async_provider_for_a_sync_view() -> None:
    """A sync view whose graph has an async provider fails at setup."""
    container = Container()

    @container.provider
    async def session() -> Session:
        return Session()

    @inject
    def index(session: Session) -> str:
        return "ok"

    with pytest.raises(InjectionError, match="async provider"):
        setup([path("", index)], container, close_at_exit=False)


def test_setup_refuses_a_scope_violation() -> None:
    """An app-scoped provider that needs a request-scoped one fails at setup."""
    container = Container()
    container.register(Session)

    class Pool:
        def __init__(self, session: Session) -> None:
            self.session = session

    container.register(Pool, scope="app")

    @inject
    def index(pool: Pool) -> str:
        return "ok"

    with pytest.raises(ScopeError):
        setup([path("", index)], container, close_at_exit=False)


def test_setup_refuses_a_url_variable_no_parameter_reads() -> None:
    """``users/<int:uid>`` routed to a view taking ``user_id`` is caught at setup."""

    @inject
    def user(user_id: int = 0) -> str:
        return str(user_id)

    with pytest.raises(InjectionError, match="passes uid to user"):
        setup([path("users/<int:uid>", user)], Container(), close_at_exit=False)


def test_path_and_query_values_are_converted_and_bad_ones_are_a_422() -> None:
    """URL kwargs then the query, converted; a bad or missing value answers 422."""

    def page_size(size: int = 10) -> int:
        return size

    @inject
    def user(
        user_id: int,
        active: bool,
        ratio: float | None = None,
        size: Annotated[int, Depends(page_size)] = 0,
    ) -> dict[str, Any]:
        return {"user_id": user_id, "active": active, "ratio": ratio, "size": size}

    urlpatterns = [path("users/<str:user_id>", user)]
    setup(urlpatterns, Container(), close_at_exit=False)
    with serve_wsgi(urlpatterns) as url:
        full = httpx.get(f"{url}/users/42?active=yes&ratio=0.5&size=3", timeout=TIMEOUT)
        short = httpx.get(f"{url}/users/7?active=0&user_id=9", timeout=TIMEOUT)
        bad = httpx.get(f"{url}/users/abc?active=maybe", timeout=TIMEOUT)
        missing = httpx.get(f"{url}/users/1", timeout=TIMEOUT)
    scenarios.assert_users_converted(full, short)
    scenarios.assert_users_refused(bad, missing)


def test_get_scope_in_a_plain_view_closes_after_the_response(recorder: Recorder) -> None:
    """A view without ``inject`` uses ``get_scope(request)``; finalizers after the body."""
    container = make_container(recorder, HttpRequest)

    def token(session: Session) -> str:
        return session.token

    def plain(request: HttpRequest) -> HttpResponse:
        scope = get_scope(request)
        assert scope is get_scope(request)
        return HttpResponse(scope.call_sync(token))

    urlpatterns = [path("", plain)]
    setup(urlpatterns, container, close_at_exit=False)
    with serve_wsgi(urlpatterns) as url:
        assert len(httpx.get(url, timeout=TIMEOUT).text) == 32
        recorder.wait_for("session closed")
    assert recorder.events == ["session opened", "session closed"]


def test_djangos_test_client_runs_tasks_when_it_closes_the_response(
    recorder: Recorder, gate: Gate
) -> None:
    """Django's test Client closes the response like a server: tasks, then finalizer."""
    gate.open()
    with routed(sync_app(recorder, gate)):
        response = Client().post("/notify/a@b.c?tag=t")
    assert response.json() == {"email": "a@b.c", "same_tasks": True}
    assert recorder.events == [
        "session opened t",
        "handler",
        "task for a@b.c started",
        "task for a@b.c done",
        "session closed t",
    ]


def test_system_check_reports_a_missing_middleware(recorder: Recorder, gate: Gate) -> None:
    """``manage.py check``: injected views without InjectKitMiddleware are an error."""
    sync_app(recorder, gate)
    with override_settings(MIDDLEWARE=MIDDLEWARE[1:]):
        errors = check_middleware_installed()
    assert [e.id for e in errors] == ["injectkit.E001"]
    with override_settings(MIDDLEWARE=MIDDLEWARE):
        assert check_middleware_installed() == []


def test_an_injected_view_without_the_middleware_names_the_fix(
    recorder: Recorder, gate: Gate
) -> None:
    """Without the middleware, the view's request fails with an InjectionError saying so."""
    with routed(sync_app(recorder, gate)), override_settings(MIDDLEWARE=[]):
        with pytest.raises(InjectionError, match="InjectKitMiddleware is not installed"):
            Client().post("/notify/a@b.c")


def test_inject_refuses_a_generator_view() -> None:
    """A generator function is a provider, not a view: refused when decorated."""

    def stream() -> Iterator[str]:
        yield "x"

    with pytest.raises(InjectionError, match="cannot be a view"):
        inject(stream)


def test_importing_the_adapter_without_django_names_the_extra() -> None:
    """Without Django installed, the ImportError says which extra to install."""
    assert scenarios.import_error_without("django", "django") == (
        "injectkit.integrations.django needs Django, which is not installed: "
        'python -m pip install "./injectkit[django]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[django]" once it is on PyPI)'
    )


def test_wsgi_app_scope_closes_at_interpreter_exit() -> None:
    """With the default ``close_at_exit``, app-scoped finalizers run when the process
    exits (a WSGI server has no shutdown event)."""
    output = scenarios.fresh_interpreter_output(
        """
        from collections.abc import Iterator

        import django
        from django.conf import settings
        from django.test import Client
        from django.urls import path

        from injectkit import Container
        from injectkit.integrations.django import inject, setup


        class Pool:
            pass


        container = Container()


        @container.provider(scope="app")
        def pool() -> Iterator[Pool]:
            print("pool opened", flush=True)
            yield Pool()
            print("pool closed", flush=True)


        @inject
        def index(pool: Pool) -> dict[str, bool]:
            return {"ok": True}


        urlpatterns = [path("", index)]
        setup(urlpatterns, container)
        settings.configure(
            ROOT_URLCONF=__name__,
            ALLOWED_HOSTS=["testserver"],
            MIDDLEWARE=["injectkit.integrations.django.InjectKitMiddleware"],
        )
        django.setup()
        response = Client().get("/")
        print(response.status_code, response.json(), flush=True)
        print("end of the program", flush=True)
        """
    )
    assert output.splitlines() == [
        "pool opened",
        "200 {'ok': True}",
        "end of the program",
        "pool closed",
    ]
