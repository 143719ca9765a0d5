"""``python -m injectkit.demo``: the seed's tutorial002 on a real server, with a timeline.

Starts FastAPI's "Background Tasks" tutorial002 (written for the Starlette adapter) on
uvicorn on a free 127.0.0.1 port, sends real HTTP requests, and prints what happened
when, relative to the start: the client has the complete response before the
background tasks write their log lines, and the request's finalizer runs after them.
Then it prints the log file and the handler's dependency graph as Mermaid.

Needs ``pip install "injectkit[starlette]" uvicorn``.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from injectkit import BackgroundTasks, Container, Depends

try:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import HTTPConnection, Request
    from starlette.routing import Route

    from injectkit.integrations.starlette import inject, setup
except ImportError as missing:  # pragma: no cover - the demo's own dependencies
    raise SystemExit(
        f"the demo needs Starlette and uvicorn ({missing.name} is missing): "
        'pip install "injectkit[starlette]" uvicorn'
    ) from None

TIMEOUT = 30.0


class Timeline:
    """Events from the server's threads and the client, stamped relative to the start."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self._lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self._lock:
            self._lines.append((time.perf_counter() - self.start, text))

    def lines(self) -> list[str]:
        with self._lock:
            return [f"  t={at:6.3f}s  {text}" for at, text in self._lines]


timeline = Timeline()
client_has_response = threading.Event()
request_finished = threading.Event()


class NotificationLog:
    """The seed's log.txt (here in a temporary directory)."""

    def __init__(self, path: Path) -> None:
        self.path = path


class Session:
    """A request-scoped resource whose finalizer runs after the background tasks."""


def write_log(log: NotificationLog, message: str) -> None:
    # Wait until the client holds the whole response: if tasks ran before the response
    # was sent, the client would never get it and this would time out.
    client_has_response.wait(TIMEOUT)
    with log.path.open(mode="a") as log_file:
        log_file.write(message)
    timeline(f"server: background task wrote {message.strip()!r}")


def get_query(
    background_tasks: BackgroundTasks, log: NotificationLog, q: str | None = None
) -> str | None:
    if q:
        message = f"found query: {q}\n"
        background_tasks.add_task(write_log, log, message)
    return q


@inject
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    log: NotificationLog,
    session: Session,
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, log, message)
    timeline("server: handler returned; the response is sent next")
    return {"message": "Message sent"}


def make_container(log_path: Path) -> Container:
    container = Container()

    def notification_log() -> NotificationLog:
        return NotificationLog(log_path)

    def session() -> Iterator[Session]:
        yield Session()
        timeline("server: request finalizer ran (session closed)")
        request_finished.set()

    container.register(NotificationLog, notification_log, scope="app")
    container.register(Session, session)
    return container


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` on uvicorn in a thread on a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="on", log_config=None, log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("the demo server did not start")
        thread.join(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()


def post(url: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return response.status, json.loads(response.read())


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        log_path = Path(directory) / "log.txt"
        container = make_container(log_path)
        app = Starlette(
            routes=[Route("/send-notification/{email}", send_notification, methods=["POST"])]
        )
        setup(app, container)
        print("injectkit demo: the seed's tutorial002 on Starlette + uvicorn")
        with serve(app) as url:
            print(f"serving on {url}")
            path = "/send-notification/a@b.c?q=hello"
            timeline(f"client: POST {path}")
            status, body = post(url + path)
            timeline(f"client: complete response {status} {json.dumps(body)}")
            client_has_response.set()
            if not request_finished.wait(TIMEOUT):
                raise SystemExit("the request did not finish")
        print("timeline:")
        print("\n".join(timeline.lines()))
        print("log.txt:")
        print("".join(f"  {line}" for line in log_path.read_text().splitlines(True)), end="")
        print("graph of send_notification (Mermaid):")
        view = container.graph(send_notification, context_types=[Request, HTTPConnection])
        print(view.to_mermaid())
    return 0


if __name__ == "__main__":
    sys.exit(main())
