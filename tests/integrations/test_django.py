"""The Django adapter on real servers: sync views under werkzeug's threaded WSGI server,
async views under uvicorn (Django's ASGI handler), with real HTTP clients.

Django is configured once for the test process (``django_settings``); each test routes
its own URLconf (a module made for it) with ``override_settings(ROOT_URLCONF=...)``.
Django's ASGI handler runs on asyncio only, so the async tests run on asyncio alone.
"""

from __future__ import annotations

import gc
import itertools
import socket
import struct
import sys
import types
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import path

from injectkit import BackgroundTasks, Container, Depends, InjectionError, ScopeError
from injectkit.integrations.django import (
    check_middleware_installed,
    get_scope,
    inject,
    lifespan,
    setup,
)

from . import _scenarios as scenarios
from ._adapter_kits import DJANGO_MIDDLEWARE as MIDDLEWARE
from ._adapter_kits import configure_django
from .conftest import TIMEOUT, Gate, Recorder, Session, make_container, serve_asgi, serve_wsgi

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Django's ASGI handler is asyncio code


@pytest.fixture(scope="module", autouse=True)
def django_settings() -> None:
    """Configure Django once for the process (settings are process-wide)."""
    configure_django()


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
def serve_django_wsgi(urlpatterns: list[Any]) -> Iterator[str]:
    """Django's WSGI handler for ``urlpatterns`` on werkzeug's threaded server."""
    with routed(urlpatterns), serve_wsgi(WSGIHandler()) as url:
        yield url


@contextmanager
def serve_django_asgi(urlpatterns: list[Any], container: Container) -> Iterator[str]:
    """Django's ASGI handler (with :func:`lifespan`) for ``urlpatterns`` under uvicorn."""
    with routed(urlpatterns), serve_asgi(lifespan(ASGIHandler(), container)) as url:
        yield url


# --- the apps under test ------------------------------------------------------------------


def async_app(recorder: Recorder, *routes: Any) -> tuple[list[Any], Container]:
    """``routes`` set up with the shared container, for Django's ASGI handler."""
    container = make_container(recorder, HttpRequest)
    urlpatterns = list(routes)
    setup(urlpatterns, container, close_at_exit=False)
    return urlpatterns, container


def sync_app(recorder: Recorder, gate: Gate, *extra: Any) -> list[Any]:
    """Sync views for the WSGI server: ``/notify/{email}`` (a task that blocks at the gate,
    a sub-dependency's task) and ``/slow`` (waits at the gate)."""
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
    def slow(session: Session) -> HttpResponse:
        recorder("view entered")
        gate.wait()
        recorder("view released")
        return HttpResponse(b"x" * 100_000)

    container = make_container(recorder, HttpRequest)
    urlpatterns = [
        path("notify/<str:email>", notify),
        path("slow", slow),
        *extra,
    ]
    setup(urlpatterns, container, close_at_exit=False)
    return urlpatterns


# --- ASGI: async views under uvicorn (the shared scenarios are in test_adapter_scenarios.py) --


async def test_asgi_streaming_response_closes_the_scope_after_the_last_chunk(
    recorder: Recorder,
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

    urlpatterns, container = async_app(recorder, path("stream", stream))
    with serve_django_asgi(urlpatterns, container) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/stream")
        events = await recorder.await_for("session closed")
    assert len(response.text.splitlines()) == 3
    assert events == ["session opened", "chunk 0", "chunk 1", "chunk 2", "task", "session closed"]


async def test_asgi_sync_view_runs_in_a_thread_and_closes_after_the_response(
    recorder: Recorder,
) -> None:
    """ASGI: a sync view (Django runs it in a thread) gets its scope; tasks then finalizer."""

    @inject
    def plain(session: Session, tasks: BackgroundTasks, request: HttpRequest) -> HttpResponse:
        tasks.add_task(recorder, "task")
        return HttpResponse(f"sync {request.path}")

    urlpatterns, container = async_app(recorder, path("plain", plain))
    with serve_django_asgi(urlpatterns, container) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/plain")
            # Django's SecurityMiddleware ran on the way out
            assert response.headers["x-content-type-options"] == "nosniff"
        events = await recorder.await_for("session closed")
    assert response.text == "sync /plain"
    assert events == ["session opened", "task", "session closed"]


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/django/tutorial001.py and tutorial002.py under uvicorn: log after response."""
    with override_settings(MIDDLEWARE=MIDDLEWARE):
        scenarios.seed_examples_write_the_log_after_the_response("django", tmp_path)


# --- WSGI: sync views under werkzeug's threaded server --------------------------------------


def test_wsgi_client_resetting_the_connection_mid_request_still_runs_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """WSGI: the client resets the connection (RST) mid-view; the finalizers still run."""
    with serve_django_wsgi(sync_app(recorder, gate)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            client.sendall(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            recorder.wait_for("view entered")
            # close() now sends RST instead of FIN
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        gate.open()
        recorder.wait_for("session closed")
    assert recorder.events == ["session opened", "view entered", "view released", "session closed"]


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

    with serve_django_wsgi(sync_app(recorder, gate, path("stream", stream))) as url:
        response = httpx.get(f"{url}/stream", timeout=TIMEOUT)
        events = recorder.wait_for("session closed")
    assert response.text == "chunk 0\nchunk 1\nchunk 2\n"
    assert events == ["session opened", "chunk 0", "chunk 1", "chunk 2", "task", "session closed"]


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


def test_a_new_urlconf_is_set_up_after_an_old_one_is_freed() -> None:
    """A freed list's id() comes back on the next list: setup() must not mistake the new
    URLconf for the old one (the check keeps what it has seen alive, so ids stay unique)."""

    @inject
    def hello(name: str = "world") -> str:
        return name

    for _ in range(20):
        setup([path("hello", hello)], Container(), close_at_exit=False)
        gc.collect()


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
    with serve_django_wsgi(urlpatterns) as url:
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
    with serve_django_wsgi(urlpatterns) as url:
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
