"""The aiohttp adapter on aiohttp's own server (AppRunner + TCPSite) with a real client."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
import pytest
from aiohttp import web

from injectkit import (
    BackgroundTasks,
    Container,
    Depends,
    InjectionError,
    RequestScope,
    UnresolvableDependencyError,
)
from injectkit.integrations.aiohttp import get_scope, inject, setup

from . import _scenarios as scenarios
from .conftest import TIMEOUT, Gate, Recorder, load_example

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    # aiohttp runs on asyncio only: no trio case is generated (a skip would say nothing).
    return "asyncio"


# --- a real server ------------------------------------------------------------------------


@asynccontextmanager
async def running(app: web.Application, **server_options: Any) -> AsyncIterator[str]:
    """Serve ``app`` with aiohttp's runner on a free 127.0.0.1 port."""
    runner = web.AppRunner(app, **server_options)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def client(url: str, **options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=TIMEOUT, **options)


async def wait(event: anyio.Event) -> None:
    with anyio.fail_after(TIMEOUT):
        await event.wait()


class Session:
    """A request-scoped resource whose closing the tests watch."""

    def __init__(self) -> None:
        self.closed = False


def session_container(recorder: Recorder) -> Container:
    container = Container()

    @container.provider
    async def session() -> AsyncIterator[Session]:
        recorder("session opened")
        resource = Session()
        try:
            yield resource
        except BaseException as exc:
            recorder(f"session saw {type(exc).__name__}")
            raise
        finally:
            resource.closed = True
            recorder("session closed")

    return container


def make_app(container: Container, *routes: tuple[str, str, Any]) -> web.Application:
    app = web.Application()
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    setup(app, container)
    return app


# --- after the response -------------------------------------------------------------------


async def test_streamed_response_is_sent_before_the_async_task_runs(recorder: Recorder) -> None:
    """A handler that streams its body: all chunks reach the client, then the task runs."""
    container = session_container(recorder)
    release = anyio.Event()

    async def blocked_task() -> None:  # an async task: runs on the event loop
        await wait(release)
        recorder("task")

    @inject
    async def stream(
        request: web.Request, session: Session, tasks: BackgroundTasks
    ) -> web.StreamResponse:
        tasks.add_task(blocked_task)
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        for n in range(3):
            recorder(f"chunk {n}")
            state = "closed" if session.closed else "open"
            await response.write(f"chunk {n}: session {state}\n".encode())
        return response

    app = make_app(container, ("GET", "/stream", stream))
    async with running(app) as url, client(url) as http:
        response = await http.get("/stream")
        assert response.text.splitlines() == [f"chunk {n}: session open" for n in range(3)]
        assert "task" not in recorder.events
        release.set()
        await recorder.await_for("session closed")
    assert recorder.events == [
        "session opened",
        "chunk 0",
        "chunk 1",
        "chunk 2",
        "task",
        "session closed",
    ]


async def test_file_response_is_sent_once_then_the_task_runs(
    recorder: Recorder, gate: Gate, tmp_path: Path
) -> None:
    """A ``web.FileResponse`` reaches the client whole (and once); then the task runs."""
    report = tmp_path / "report.txt"
    report.write_text("line\n" * 10_000)

    def blocked_task(n: int) -> None:
        gate.wait()
        recorder(f"task {n}")

    @inject
    async def download(n: int, tasks: BackgroundTasks) -> web.StreamResponse:
        tasks.add_task(blocked_task, n)
        return web.FileResponse(report)

    app = make_app(Container(), ("GET", "/report", download))
    async with running(app) as url, client(url) as http:
        first = await http.get("/report?n=1")
        assert first.text == report.read_text()
        assert recorder.events == []
        gate.open()
        await recorder.await_for("task 1")
        second = await http.get("/report?n=2")  # the keep-alive connection is still sound
        assert second.text == report.read_text()
        await recorder.await_for("task 2")
    assert recorder.events == ["task 1", "task 2"]


# --- errors and disconnects ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "status", "expected"),
    [
        (web.HTTPNotFound(), 404, ["session saw HTTPNotFound", "session closed"]),
        (web.HTTPFound("/elsewhere"), 302, ["task", "session closed"]),
    ],
    ids=["404 drops the tasks", "302 is a success"],
)
async def test_raised_http_errors_drop_tasks_but_raised_redirects_do_not(
    raised: web.HTTPException, status: int, expected: list[str], recorder: Recorder
) -> None:
    """``raise HTTPNotFound`` is a failed request; ``raise HTTPFound`` is aiohttp's redirect."""
    container = session_container(recorder)

    @inject
    async def index(session: Session, tasks: BackgroundTasks) -> web.Response:
        tasks.add_task(recorder, "task")
        raise raised

    app = make_app(container, ("GET", "/", index))
    async with running(app) as url, client(url) as http:
        assert (await http.get("/")).status_code == status
        await recorder.await_for("session closed")
    assert recorder.events == ["session opened", *expected]


async def test_handler_cancellation_cancels_the_handler_then_runs_finalizers(
    recorder: Recorder,
) -> None:
    """With ``handler_cancellation``, a hang-up cancels the handler; the finalizer sees it."""
    container = session_container(recorder)

    @inject
    async def slow(session: Session) -> web.Response:
        recorder("handler entered")
        await anyio.sleep_forever()
        raise AssertionError("never reached")

    app = make_app(container, ("GET", "/slow", slow))
    async with running(app, handler_cancellation=True) as url:
        host, port = url.removeprefix("http://").split(":")
        stream = await anyio.connect_tcp(host, int(port))
        await stream.send(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await recorder.await_for("handler entered")
        await stream.aclose()
        await recorder.await_for("session closed")
    assert recorder.events == [
        "session opened",
        "handler entered",
        "session saw CancelledError",
        "session closed",
    ]


# --- request-scoped values ----------------------------------------------------------------


async def test_web_request_is_resolved_by_annotation_in_handlers_and_providers() -> None:
    """``web.Request`` and ``web.BaseRequest`` both give the request being handled."""

    def agent(request: web.BaseRequest) -> str:
        return request.headers["User-Agent"]

    @inject
    async def index(request: web.Request, ua: Annotated[str, Depends(agent)]) -> web.Response:
        return web.json_response({"path": request.path, "ua": ua})

    app = make_app(Container(), ("GET", "/here", index))
    async with running(app) as url, client(url, headers={"User-Agent": "probe/1"}) as http:
        response = await http.get("/here")
    assert response.json() == {"path": "/here", "ua": "probe/1"}


async def test_get_scope_in_a_plain_handler_closes_after_the_response(
    recorder: Recorder,
) -> None:
    """A handler without ``inject`` uses ``get_scope(request)``; finalizers run after."""
    container = session_container(recorder)

    def describe_session(session: Session) -> str:
        return "open" if not session.closed else "closed"

    async def index(request: web.Request) -> web.Response:
        scope: RequestScope = await get_scope(request)
        assert scope is await get_scope(request)
        return web.Response(text=await scope.call(describe_session))

    app = make_app(container, ("GET", "/", index))
    async with running(app) as url, client(url) as http:
        assert (await http.get("/")).text == "open"
        await recorder.await_for("session closed")
    assert recorder.events == ["session opened", "session closed"]


async def test_an_override_takes_effect_at_the_next_request() -> None:
    """``container.override`` swaps a provider for the requests made while it is active."""
    container = Container()
    container.register(Session)

    class FakeSession(Session):
        pass

    @inject
    async def index(session: Session) -> web.Response:
        return web.Response(text=type(session).__name__)

    app = make_app(container, ("GET", "/", index))
    async with running(app) as url, client(url) as http:
        assert (await http.get("/")).text == "Session"
        with container.override(Session, FakeSession):
            assert (await http.get("/")).text == "FakeSession"
        assert (await http.get("/")).text == "Session"


# --- free parameters from the path and the query ------------------------------------------


def converting_app() -> web.Application:
    def page_size(size: int = 10) -> int:
        return size

    @inject
    async def user(
        user_id: int,
        active: bool,
        ratio: float | None = None,
        size: Annotated[int, Depends(page_size)] = 0,
    ) -> web.Response:
        body = {"user_id": user_id, "active": active, "ratio": ratio, "size": size}
        return web.json_response(body)

    return make_app(Container(), ("GET", "/users/{user_id}", user))


async def test_path_and_query_values_are_converted_to_the_annotations() -> None:
    """Path then query, converted to int, bool, optional float; a provider's ``size`` too."""
    async with running(converting_app()) as url, client(url) as http:
        full = await http.get("/users/42?active=yes&ratio=0.5&size=3")
        short = await http.get("/users/7?active=0&user_id=9")  # the path wins
    scenarios.assert_users_converted(full, short)


async def test_a_bad_or_missing_value_is_a_422_naming_the_parameter() -> None:
    """Unconvertible or missing values answer 422 with FastAPI-style details, not 500."""
    async with running(converting_app()) as url, client(url) as http:
        bad = await http.get("/users/abc?active=maybe")
        missing = await http.get("/users/1")
    scenarios.assert_users_refused(bad, missing)


# --- startup ------------------------------------------------------------------------------


async def test_startup_checks_handlers_of_sub_apps() -> None:
    """A broken handler in a sub-app also stops the start-up."""

    class Database:
        pass

    @inject
    async def index(db: Database) -> web.Response:
        return web.Response(text="never")

    sub = web.Application()
    sub.router.add_get("/", index)
    app = make_app(Container())
    app.add_subapp("/sub", sub)
    runner = web.AppRunner(app)
    with pytest.raises(UnresolvableDependencyError, match="index"):
        await runner.setup()
    await runner.cleanup()


async def test_startup_refuses_a_path_variable_no_parameter_reads() -> None:
    """``/users/{uid}`` routed to a handler taking ``user_id`` is caught at startup."""

    @inject
    async def user(user_id: int = 0) -> web.Response:
        return web.Response(text=str(user_id))

    runner = web.AppRunner(make_app(Container(), ("GET", "/users/{uid}", user)))
    with pytest.raises(InjectionError, match=r"The route .* passes uid to user"):
        await runner.setup()
    await runner.cleanup()


async def test_inject_refuses_a_sync_handler() -> None:
    """aiohttp handlers are ``async def``; a ``def`` one is refused when decorated."""

    def index() -> web.Response:
        return web.Response(text="ok")

    with pytest.raises(InjectionError, match=r"aiohttp handlers are\n`async def` functions\."):
        inject(index)  # type: ignore[arg-type]


# --- the seed's examples ------------------------------------------------------------------


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving_example(name: str, log: Path) -> AsyncIterator[tuple[str, anyio.Semaphore]]:
    """Serve an example; the semaphore is released each time a request is fully done.

    The signalling middleware goes outside the adapter's, so it returns only after the
    response was sent and the request's tasks ran.
    """
    module = load_example(f"aiohttp/{name}.py")
    app: web.Application = module.create_app(module.Settings(log_path=log))
    done = anyio.Semaphore(0)

    @web.middleware
    async def signal_done(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            done.release()

    app.middlewares.insert(0, signal_done)
    async with running(app) as url:
        yield url, done


async def acquire(done: anyio.Semaphore) -> None:
    with anyio.fail_after(TIMEOUT):
        await done.acquire()


async def test_example_tutorial001_writes_the_notification_after_the_response(
    tmp_path: Path,
) -> None:
    """examples/aiohttp/tutorial001.py: the response, then log.txt holds the notification."""
    log = tmp_path / "log.txt"
    async with serving_example("tutorial001", log) as (url, done), client(url) as http:
        response = await http.post("/send-notification/ada@example.com")
        assert response.json() == {"message": "Notification sent in the background"}
        await acquire(done)
    assert log.read_text() == "notification for ada@example.com: some notification"


async def test_example_tutorial002_logs_the_query_and_the_message(tmp_path: Path) -> None:
    """examples/aiohttp/tutorial002.py: the sub-dependency's task, then the handler's."""
    log = tmp_path / "log.txt"
    async with serving_example("tutorial002", log) as (url, done), client(url) as http:
        with_q = await http.post("/send-notification/ada@example.com?q=injectkit")
        assert with_q.json() == {"message": "Message sent"}
        await acquire(done)
        without_q = await http.post("/send-notification/grace@example.com")
        assert without_q.json() == {"message": "Message sent"}
        await acquire(done)
    assert log.read_text() == (
        "found query: injectkit\nmessage to ada@example.com\nmessage to grace@example.com\n"
    )


def test_importing_the_adapter_without_aiohttp_names_the_extra() -> None:
    """Without aiohttp installed, the ImportError says which extra to install."""
    assert scenarios.import_error_without("aiohttp", "aiohttp") == (
        "injectkit.integrations.aiohttp needs aiohttp, which is not installed: "
        'python -m pip install "./injectkit[aiohttp]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[aiohttp]" once it is on PyPI)'
    )


async def test_web_view_method_is_injected_then_tasks_after_the_response_then_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """An injected web.View method: values injected, tasks after the response, finalizers."""
    blocked_task = scenarios.blocking_task(recorder, gate)

    class SendView(web.View):
        @inject
        async def post(self, email: str, tasks: BackgroundTasks, _: Session) -> web.Response:
            recorder("handler")
            tasks.add_task(blocked_task, f"task for {email}")
            return web.json_response({"view": type(self).__name__, "request": self.request.path})

    app = make_app(session_container(recorder), ("*", "/send/{email}", SendView))
    async with running(app) as url, client(url) as http:
        response = await http.post("/send/ada")
        assert response.json() == {"view": "SendView", "request": "/send/ada"}
        await recorder.await_for("task for ada started")  # the response is in hand
        assert "session closed" not in recorder.events
        gate.open()
        events = await recorder.await_for("session closed")
    assert events[1:] == ["handler", "task for ada started", "task for ada done", "session closed"]


async def test_startup_fails_on_a_broken_graph_in_a_web_view_method() -> None:
    """An injected web.View method is validated at start-up like a handler function."""

    class Database:
        pass

    def repository(db: Database) -> str:
        return "repo"

    class IndexView(web.View):
        @inject
        async def get(self, repo: Annotated[str, Depends(repository)]) -> web.Response:
            return web.Response(text=repo)

    runner = web.AppRunner(make_app(Container(), ("*", "/", IndexView)))
    with pytest.raises(UnresolvableDependencyError) as caught:
        await runner.setup()
    await runner.cleanup()
    assert "IndexView.get -> repository" in str(caught.value)
