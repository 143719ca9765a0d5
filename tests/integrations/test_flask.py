"""The Flask adapter on a real WSGI server (werkzeug's, in a thread) with a real client."""

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import flask
import httpx
import pytest
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wsgi import ClosingIterator

from injectkit import (
    BackgroundTasks,
    Container,
    Depends,
    InjectionError,
    RequestScope,
    ScopeError,
    UnresolvableDependencyError,
)
from injectkit.integrations.flask import get_scope, inject, setup

from . import _scenarios as scenarios
from .conftest import TIMEOUT, Gate, Recorder, load_example, serve_wsgi

# --- the graph ----------------------------------------------------------------------------


class Session:
    """A request-scoped resource whose closing the tests watch."""

    def __init__(self) -> None:
        self.closed = False


def session_container(recorder: Recorder) -> Container:
    container = Container()

    @container.provider
    def session() -> Iterator[Session]:
        recorder("session opened")
        resource = Session()
        try:
            yield resource
        except Exception as exc:
            recorder(f"session saw {type(exc).__name__}")
            raise
        finally:
            resource.closed = True
            recorder("session closed")

    return container


# --- after the response -------------------------------------------------------------------


def blocked_task_of(recorder: Recorder, gate: Gate) -> Callable[[str], None]:
    """A task that waits at ``gate``, then records ``task for <email>``."""

    def blocked_task(email: str) -> None:
        gate.wait()
        recorder(f"task for {email}")

    return blocked_task


def send_to_ada_then_task_then_finalizer(
    app: flask.Flask, recorder: Recorder, gate: Gate, expected_json: dict[str, str]
) -> None:
    """``POST /send/ada``: the response while the task waits; then the task, the finalizer."""
    setup(app, session_container(recorder), close_at_exit=False)
    with serve_wsgi(app) as url:
        response = httpx.post(f"{url}/send/ada", timeout=TIMEOUT)
        assert response.json() == expected_json
        assert recorder.events == ["session opened", "handler"]
        gate.open()
        recorder.wait_for("session closed")
    assert recorder.events == ["session opened", "handler", "task for ada", "session closed"]


def test_streamed_body_is_sent_before_the_scope_closes(recorder: Recorder, gate: Gate) -> None:
    """A streamed body is produced with the session open; the scope closes after its end.

    Flask's ``teardown_request`` runs before the first chunk, which is why the adapter
    closes the scope from the WSGI body's ``close()`` instead.
    """
    container = session_container(recorder)
    app = flask.Flask(__name__)

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        recorder("teardown_request")

    def blocked_task() -> None:
        gate.wait()
        recorder("task")

    @app.get("/stream")
    @inject
    def stream(session: Session, tasks: BackgroundTasks) -> flask.Response:
        tasks.add_task(blocked_task)

        def chunks() -> Iterator[str]:
            for n in range(3):
                recorder(f"chunk {n}")
                yield f"chunk {n}: session {'closed' if session.closed else 'open'}\n"

        return flask.Response(chunks(), mimetype="text/plain")

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        response = httpx.get(f"{url}/stream", timeout=TIMEOUT)
        assert response.text.splitlines() == [f"chunk {n}: session open" for n in range(3)]
        assert "task" not in recorder.events
        gate.open()
        recorder.wait_for("session closed")
    assert recorder.events == [
        "session opened",
        "teardown_request",
        "chunk 0",
        "chunk 1",
        "chunk 2",
        "task",
        "session closed",
    ]


def test_stream_with_context_sees_the_request_and_the_open_scope(recorder: Recorder) -> None:
    """A ``stream_with_context`` body reads ``flask.request`` and the request's scope."""
    container = session_container(recorder)
    app = flask.Flask(__name__)

    @app.get("/stream")
    @inject
    def stream(session: Session) -> flask.Response:
        def chunks() -> Iterator[str]:
            yield f"hello {flask.request.args['who']}\n"
            same = get_scope().resolve_sync(Session) is session
            yield f"same session: {same}\n"

        return flask.Response(flask.stream_with_context(chunks()), mimetype="text/plain")

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        response = httpx.get(f"{url}/stream?who=ada", timeout=TIMEOUT)
        recorder.wait_for("session closed")
    assert response.text == "hello ada\nsame session: True\n"
    assert recorder.events == ["session opened", "session closed"]


def test_a_body_that_fails_midway_drops_the_tasks(recorder: Recorder) -> None:
    """A streamed body that raises after a chunk: the finalizer sees it, no task runs."""
    container = session_container(recorder)
    app = flask.Flask(__name__)

    @app.get("/stream")
    @inject
    def stream(session: Session, tasks: BackgroundTasks) -> flask.Response:
        tasks.add_task(recorder, "task")

        def chunks() -> Iterator[str]:
            yield "first\n"
            raise ValueError("the body broke")

        return flask.Response(chunks(), mimetype="text/plain")

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        with pytest.raises(httpx.HTTPError):  # the server cuts the chunked body short
            httpx.get(f"{url}/stream", timeout=TIMEOUT)
        recorder.wait_for("session closed")
    assert recorder.events == ["session opened", "session saw ValueError", "session closed"]


def test_flask_test_client_runs_tasks_when_the_response_is_closed(recorder: Recorder) -> None:
    """With Flask's test client the scope closes with the response; nothing leaks meanwhile."""
    container = session_container(recorder)
    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(session: Session, tasks: BackgroundTasks) -> str:
        tasks.add_task(recorder, "task")
        return "ok"

    setup(app, container, close_at_exit=False)
    client = app.test_client()
    response = client.get("/")
    assert response.text == "ok"
    assert recorder.events == ["session opened"]
    assert container.current_scope is None  # the request's scope stays in its own context
    response.close()
    assert recorder.events == ["session opened", "task", "session closed"]
    with client.get("/") as closing:
        assert closing.get_data(as_text=True) == "ok"
    buffered = client.get("/", buffered=True)
    assert buffered.text == "ok"
    assert recorder.events == ["session opened", "task", "session closed"] * 3


# --- errors and disconnects ---------------------------------------------------------------


def test_abort_keeps_its_status_and_counts_as_a_failed_request(recorder: Recorder) -> None:
    """``abort(404)`` in a view is a 404 for the client; tasks dropped, finalizer sees it."""
    container = session_container(recorder)
    app = flask.Flask(__name__)

    @app.get("/items/<int:item_id>")
    @inject
    def item(item_id: int, session: Session, tasks: BackgroundTasks) -> str:
        tasks.add_task(recorder, "task")
        flask.abort(404)

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        response = httpx.get(f"{url}/items/7", timeout=TIMEOUT)
        recorder.wait_for("session closed")
    assert response.status_code == 404
    assert recorder.events == ["session opened", "session saw NotFound", "session closed"]


def test_client_resetting_the_connection_mid_request_still_runs_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """The client resets the connection (RST) while the view works; the finalizer still runs."""
    container = session_container(recorder)
    app = flask.Flask(__name__)

    @app.get("/slow")
    @inject
    def slow(session: Session) -> str:
        recorder("view entered")
        gate.wait()
        recorder("view released")
        return "x" * 100_000

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            client.sendall(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            recorder.wait_for("view entered")
            # close() now sends RST instead of FIN
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        gate.open()
        recorder.wait_for("session closed")
    assert recorder.events == [
        "session opened",
        "view entered",
        "view released",
        "session closed",
    ]


# --- request-scoped values ----------------------------------------------------------------


def test_flask_request_is_resolved_by_annotation_in_views_and_providers() -> None:
    """``flask.Request`` and werkzeug's ``Request`` both give the current request object."""

    def agent(request: WerkzeugRequest) -> str:
        return str(request.headers["User-Agent"])

    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(request: flask.Request, ua: Annotated[str, Depends(agent)]) -> dict[str, Any]:
        current = flask.request._get_current_object()  # type: ignore[attr-defined]
        return {"same": request is current, "ua": ua}

    setup(app, Container(), close_at_exit=False)
    with serve_wsgi(app) as url:
        response = httpx.get(url, headers={"User-Agent": "probe/1"}, timeout=TIMEOUT)
    assert response.json() == {"same": True, "ua": "probe/1"}


def test_get_scope_in_a_plain_view_closes_after_the_response(recorder: Recorder) -> None:
    """A view without ``inject`` uses ``get_scope()``; its finalizers run after the body."""
    container = session_container(recorder)
    app = flask.Flask(__name__)

    def describe_session(session: Session) -> str:
        return "open" if not session.closed else "closed"

    @app.get("/")
    def index() -> str:
        scope: RequestScope = get_scope()
        assert scope is get_scope()
        return scope.call_sync(describe_session)

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        assert httpx.get(url, timeout=TIMEOUT).text == "open"
        recorder.wait_for("session closed")
    assert recorder.events == ["session opened", "session closed"]


def test_an_override_takes_effect_at_the_next_request() -> None:
    """``container.override`` swaps a provider for the requests made while it is active."""
    container = Container()
    container.register(Session)

    class FakeSession(Session):
        pass

    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(session: Session) -> str:
        return type(session).__name__

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        assert httpx.get(url, timeout=TIMEOUT).text == "Session"
        with container.override(Session, FakeSession):
            assert httpx.get(url, timeout=TIMEOUT).text == "FakeSession"
        assert httpx.get(url, timeout=TIMEOUT).text == "Session"


# --- free parameters from the path and the query ------------------------------------------


def converting_app() -> flask.Flask:
    def page_size(size: int = 10) -> int:
        return size

    app = flask.Flask(__name__)

    @app.get("/users/<user_id>")
    @inject
    def user(
        user_id: int,
        active: bool,
        ratio: float | None = None,
        size: Annotated[int, Depends(page_size)] = 0,
    ) -> dict[str, Any]:
        return {"user_id": user_id, "active": active, "ratio": ratio, "size": size}

    setup(app, Container(), close_at_exit=False)
    return app


def test_path_and_query_values_are_converted_to_the_annotations() -> None:
    """Path then query, converted to int, bool, optional float; a provider's ``size`` too."""
    with serve_wsgi(converting_app()) as url:
        full = httpx.get(f"{url}/users/42?active=yes&ratio=0.5&size=3", timeout=TIMEOUT)
        short = httpx.get(f"{url}/users/7?active=0&user_id=9", timeout=TIMEOUT)  # path wins
    scenarios.assert_users_converted(full, short)


def test_a_bad_or_missing_value_is_a_422_naming_the_parameter() -> None:
    """Unconvertible or missing values answer 422 with FastAPI-style details, not 500."""
    with serve_wsgi(converting_app()) as url:
        bad = httpx.get(f"{url}/users/abc?active=maybe", timeout=TIMEOUT)
        missing = httpx.get(f"{url}/users/1", timeout=TIMEOUT)
    scenarios.assert_users_refused(bad, missing)


# --- startup ------------------------------------------------------------------------------


def test_setup_refusing_a_broken_graph_leaves_the_app_untouched() -> None:
    """``setup`` that finds a broken graph raises before it changes the Flask app."""

    class Database:
        pass

    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(db: Database) -> str:
        return "never"

    with pytest.raises(UnresolvableDependencyError):
        setup(app, Container(), close_at_exit=False)
    assert "injectkit" not in app.extensions


def test_setup_refuses_an_async_provider() -> None:
    """Flask resolves graphs synchronously: an async provider fails at setup."""
    container = Container()

    @container.provider
    async def session() -> Session:
        return Session()

    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(session: Session) -> str:
        return "ok"

    with pytest.raises(InjectionError, match="async provider"):
        setup(app, container, close_at_exit=False)


def test_setup_refuses_a_scope_violation() -> None:
    """An app-scoped provider that needs a request-scoped one fails at setup."""
    container = Container()
    container.register(Session)

    class Pool:
        def __init__(self, session: Session) -> None:
            self.session = session

    container.register(Pool, scope="app")
    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(pool: Pool) -> str:
        return "ok"

    with pytest.raises(ScopeError):
        setup(app, container, close_at_exit=False)


def test_setup_refuses_a_url_variable_no_parameter_reads() -> None:
    """``/users/<uid>`` routed to a view taking ``user_id`` is caught at setup."""
    app = flask.Flask(__name__)

    @app.get("/users/<uid>")
    @inject
    def user(user_id: int = 0) -> str:
        return str(user_id)

    with pytest.raises(InjectionError, match="passes uid to user"):
        setup(app, Container(), close_at_exit=False)


def test_inject_refuses_an_async_view() -> None:
    """The Flask adapter injects ``def`` views; ``async def`` is refused when decorated."""

    async def index() -> str:
        return "ok"

    with pytest.raises(InjectionError, match="plain `def` views"):
        inject(index)


def test_a_view_added_after_setup_is_validated_on_its_first_request() -> None:
    """A late route with a broken graph answers 500 and logs the InjectionError."""
    app = flask.Flask(__name__)
    setup(app, Container(), close_at_exit=False)

    class Database:
        pass

    def repository(db: Database) -> str:
        return "repo"

    @app.get("/late")
    @inject
    def late(repo: Annotated[str, Depends(repository)]) -> str:
        return repo

    with serve_wsgi(app) as url:
        response = httpx.get(f"{url}/late", timeout=TIMEOUT)
    assert response.status_code == 500


# --- the app scope ------------------------------------------------------------------------


def test_app_scoped_finalizers_run_at_interpreter_exit(tmp_path: Path) -> None:
    """With the default ``close_at_exit``, the app scope closes when the process exits."""
    lines = scenarios.program_lines(
        """
        from collections.abc import Iterator

        import flask

        from injectkit import Container
        from injectkit.integrations.flask import inject, setup


        class Pool:
            pass


        container = Container()


        @container.provider(scope="app")
        def pool() -> Iterator[Pool]:
            print("pool opened", flush=True)
            yield Pool()
            print("pool closed", flush=True)


        app = flask.Flask(__name__)


        @app.get("/")
        @inject
        def index(pool: Pool) -> str:
            return "ok"


        setup(app, container)
        response = app.test_client().get("/", buffered=True)
        print(response.status_code, response.text, flush=True)
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


def test_container_close_runs_app_finalizers_when_the_exit_hook_is_off(
    recorder: Recorder,
) -> None:
    """``close_at_exit=False`` leaves the app scope to an explicit ``container.close()``."""
    container = Container()

    class Pool:
        pass

    @container.provider(scope="app")
    def pool() -> Iterator[Pool]:
        yield Pool()
        recorder("pool closed")

    app = flask.Flask(__name__)

    @app.get("/")
    @inject
    def index(first: Pool) -> str:
        return "ok"

    setup(app, container, close_at_exit=False)
    with serve_wsgi(app) as url:
        assert httpx.get(url, timeout=TIMEOUT).text == "ok"
        assert httpx.get(url, timeout=TIMEOUT).text == "ok"
    assert recorder.events == []
    container.close()
    assert recorder.events == ["pool closed"]


# --- the seed's examples ------------------------------------------------------------------


@contextmanager
def serving_example(name: str, log: Path) -> Iterator[tuple[str, threading.Semaphore]]:
    """Serve an example; the semaphore is released each time a response is closed.

    The outer ``ClosingIterator`` closes after the adapter's body, so a release means
    the request's tasks have run.
    """
    module = load_example(f"flask/{name}.py")
    app = module.create_app(module.Settings(log_path=log))
    done = threading.Semaphore(0)

    def signalling(environ: Any, start_response: Any) -> Any:
        return ClosingIterator(app(environ, start_response), done.release)

    with serve_wsgi(signalling) as url:
        yield url, done


def test_example_tutorial001_writes_the_notification_after_the_response(tmp_path: Path) -> None:
    """examples/flask/tutorial001.py: the response, then log.txt holds the notification."""
    log = tmp_path / "log.txt"
    with serving_example("tutorial001", log) as (url, done):
        response = httpx.post(f"{url}/send-notification/ada@example.com", timeout=TIMEOUT)
        assert response.json() == {"message": "Notification sent in the background"}
        assert done.acquire(timeout=TIMEOUT)
    assert log.read_text() == "notification for ada@example.com: some notification"


def test_example_tutorial002_logs_the_query_and_the_message(tmp_path: Path) -> None:
    """examples/flask/tutorial002.py: the sub-dependency's task, then the handler's."""
    log = tmp_path / "log.txt"
    with serving_example("tutorial002", log) as (url, done):
        with_q = httpx.post(f"{url}/send-notification/ada@example.com?q=injectkit", timeout=TIMEOUT)
        assert with_q.json() == {"message": "Message sent"}
        assert done.acquire(timeout=TIMEOUT)
        without_q = httpx.post(f"{url}/send-notification/grace@example.com", timeout=TIMEOUT)
        assert without_q.json() == {"message": "Message sent"}
        assert done.acquire(timeout=TIMEOUT)
    assert log.read_text() == (
        "found query: injectkit\nmessage to ada@example.com\nmessage to grace@example.com\n"
    )


def test_importing_the_adapter_without_flask_names_the_extra() -> None:
    """Without Flask installed, the ImportError says which extra to install."""
    assert scenarios.import_error_without("flask", "flask") == (
        "injectkit.integrations.flask needs Flask, which is not installed: "
        'python -m pip install "./injectkit[flask]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[flask]" once it is on PyPI)'
    )


def test_methodview_method_is_injected_then_tasks_after_the_response_then_finalizers(
    recorder: Recorder, gate: Gate
) -> None:
    """An injected MethodView method: values injected, tasks after the response, finalizers."""
    from flask.views import MethodView

    blocked_task = blocked_task_of(recorder, gate)

    class SendView(MethodView):
        @inject
        def post(self, email: str, tasks: BackgroundTasks, _: Session) -> dict[str, str]:
            recorder("handler")
            tasks.add_task(blocked_task, email)
            return {"view": type(self).__name__}

    app = flask.Flask(__name__)
    app.add_url_rule("/send/<email>", view_func=SendView.as_view("send"))
    send_to_ada_then_task_then_finalizer(app, recorder, gate, {"view": "SendView"})


def test_setup_fails_on_a_broken_graph_in_a_methodview_method() -> None:
    """An injected MethodView method is validated by ``setup`` like a view function."""
    from flask.views import MethodView

    class Database:
        pass

    def repository(db: Database) -> str:
        return "repo"

    class IndexView(MethodView):
        @inject
        def get(self, repo: Annotated[str, Depends(repository)]) -> str:
            return repo

    app = flask.Flask(__name__)
    app.add_url_rule("/", view_func=IndexView.as_view("index"))
    with pytest.raises(UnresolvableDependencyError) as caught:
        setup(app, Container(), close_at_exit=False)
    assert "IndexView.get -> repository" in str(caught.value)
