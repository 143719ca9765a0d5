"""Real servers for adapter tests: run an app on 127.0.0.1 in a thread, yield its URL.

- ``serve_asgi(app)``: uvicorn (asyncio, in its own thread) on a free port.
- ``serve_wsgi(app)``: werkzeug's threaded WSGI server (in its own thread) on a free port.
- ``serve_in_thread(run, stop, started)``: the same for any server (a WSGI server, an
  aiohttp runner): ``run()`` blocks serving, ``stop()`` asks it to return, ``started()``
  says it is accepting connections.
- ``load_example("starlette/tutorial002.py")``: import a file under examples/.
- ``Recorder``: a thread-safe log of what happened, in order, that a test can wait on
  (handshakes instead of sleeps: servers, worker threads and the test all write to it).
"""

from __future__ import annotations

import importlib.util
import logging
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio.to_thread
import pytest

TIMEOUT = 30.0  # generous: a loaded 2-core CI machine
LISTEN_BACKLOG = 1024  # room for every connection of a test's burst of requests
ROOT = Path(__file__).resolve().parents[2]


def load_example(relative: str) -> ModuleType:
    """Import ``examples/<relative>`` (not a package) as a fresh module."""
    path = ROOT / "examples" / relative
    name = "example_" + relative.removesuffix(".py").replace("/", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look modules up by name
    spec.loader.exec_module(module)
    return module


class ServerDidNotStart(RuntimeError):
    """The server thread ended before accepting connections; ``messages`` has its log."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("the server did not start:\n" + "\n".join(messages))
        self.messages = messages


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def free_socket() -> socket.socket:
    """A listening-ready TCP socket bound to a free port on 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by the connections a server accepts: a response's head and body go out at
    # once, instead of the body waiting ~40 ms for the client's delayed ACK (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_in_thread(
    run: Callable[[], Any],
    stop: Callable[[], Any],
    started: Callable[[], bool],
    *,
    log: str | None = None,
) -> Iterator[None]:
    """Run ``run()`` in a thread until ``started()``; ``stop()`` and join on exit.

    ``log`` names a logger whose records are collected into :class:`ServerDidNotStart`
    if the thread ends first.
    """
    collect = _Collect()
    logger = logging.getLogger(log) if log else None
    if logger is not None:
        logger.addHandler(collect)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            run()
        except BaseException as exc:  # reported to the test, not lost in the thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="test-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not started():
            if not thread.is_alive():
                messages = collect.messages + [repr(e) for e in errors]
                raise ServerDidNotStart(messages) from (errors[0] if errors else None)
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not start in time")
            thread.join(0.01)  # poll the thread's state, not a fixed delay
        yield
    finally:
        stop()
        thread.join(TIMEOUT)
        if logger is not None:
            logger.removeHandler(collect)
    if thread.is_alive():
        raise TimeoutError("the server did not stop in time")
    if errors:
        raise errors[0]


@contextmanager
def serve_asgi(app: Any, **config: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port; yield its base URL.

    The lifespan protocol is on: a failing startup raises :class:`ServerDidNotStart`
    with uvicorn's log (where the startup error's message is).  On exit the server
    shuts down (lifespan shutdown included) and its thread is joined.
    """
    import uvicorn

    sock = free_socket()
    port = sock.getsockname()[1]
    options: dict[str, Any] = {
        "lifespan": "on",
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
    }
    options.update(config)
    server = uvicorn.Server(uvicorn.Config(app, **options))

    def stop() -> None:
        server.should_exit = True

    with (
        sock,
        serve_in_thread(
            lambda: server.run(sockets=[sock]),
            stop,
            lambda: server.started,
            log="uvicorn.error",
        ),
    ):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app with werkzeug's threaded server on a free 127.0.0.1 port; yield its
    base URL.  On exit the server stops and its request threads are joined."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    # werkzeug listens with a backlog of 128: of 200 clients connecting at once, the
    # connections beyond it would wait for the client's SYN retry, a second later.
    server.socket.listen(LISTEN_BACKLOG)
    try:
        with serve_in_thread(
            lambda: server.serve_forever(poll_interval=0.05),
            server.shutdown,
            lambda: True,  # make_server has bound and is listening already
        ):
            yield f"http://127.0.0.1:{server.port}"
    finally:
        server.server_close()


class Recorder:
    """What happened, in order, from any thread; ``wait_for`` blocks until it has."""

    def __init__(self) -> None:
        self._events: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, event: str) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    @property
    def events(self) -> list[str]:
        with self._changed:
            return list(self._events)

    def wait_for(self, event: str, timeout: float = TIMEOUT) -> list[str]:
        """Block until ``event`` has been recorded; return the events so far."""
        with self._changed:
            if not self._changed.wait_for(lambda: event in self._events, timeout):
                raise TimeoutError(f"{event!r} did not happen; events: {self._events}")
            return list(self._events)

    async def await_for(self, event: str, timeout: float = TIMEOUT) -> list[str]:
        """``wait_for`` from async code, without blocking the event loop."""
        return await anyio.to_thread.run_sync(self.wait_for, event, timeout)


class Gate:
    """A threading.Event with a generous timeout: a blocked task waits here."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def open(self) -> None:
        self._event.set()

    def wait(self) -> None:
        if not self._event.wait(TIMEOUT):
            raise TimeoutError("the gate was never opened")


# --- a container shared by the ASGI adapters' tests ------------------------------------------


class Session:
    """A request-scoped resource with a finalizer (a DB session in real life)."""

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex


class Settings:
    """An app-scoped resource whose finalizer runs at shutdown."""


def make_container(recorder: Recorder, connection_type: Any) -> Any:
    """Settings (app scope) and Session (request scope, built from the connection).

    The session records ``session opened <tag>`` / ``session closed <tag>`` (the tag is
    the ``tag`` query parameter), or ``session closed after <Error>`` when the request
    failed; closing the app scope records ``settings closed``.
    """
    from injectkit import Container

    container = Container()

    def settings() -> Iterator[Settings]:
        yield Settings()
        recorder("settings closed")

    def session(connection: Any) -> Iterator[Session]:
        # Django's HttpRequest has GET where the others have query_params.
        query = getattr(connection, "query_params", None)
        query = connection.GET if query is None else query
        tag = query.get("tag", "")
        recorder(f"session opened {tag}".strip())
        try:
            yield Session()
        except BaseException as exc:
            recorder(f"session closed after {type(exc).__name__}")
            raise
        recorder(f"session closed {tag}".strip())

    session.__annotations__["connection"] = connection_type
    container.register(Settings, settings, scope="app")
    container.register(Session, session)
    return container


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.open()  # never leave a server thread blocked after a failed test
