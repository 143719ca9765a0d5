"""``python -m injectkit.demo``: FastAPI's "Background Tasks" example on a real server.

Runs the example of FastAPI's *Background Tasks* page (written for injectkit's Starlette
adapter) on uvicorn on a free 127.0.0.1 port and sends it the two requests in
:data:`REQUESTS`, one after the other, with a real HTTP client.  For each it prints, in
time order, what the client and the server did, then the log file and the handler's
dependency graph as Mermaid text.

The order is proved, not staged: each background task waits until the client has read
the complete response body, and only then writes.  Were tasks run before the response
was sent, the client would never get it, the task's wait would time out and the demo
would say so and exit 1.

Needs Starlette and uvicorn: ``uv run python -m injectkit.demo`` in a clone has them; in
another environment, ``python -m pip install "./injectkit[starlette]" uvicorn``.
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
        f"the demo needs Starlette and uvicorn ({missing.name} is missing): in a clone of "
        "injectkit, run it with `uv run python -m injectkit.demo`, or install them with "
        '`python -m pip install "./injectkit[starlette]" uvicorn`'
    ) from None

TIMEOUT = 30.0

# The requests the demo sends, in order (the README names the same two).
REQUESTS = ("/send-notification/a@b.c?q=hello", "/send-notification/b@c.d")

EXPLANATION = """\
What to look for: the handler returns, the response is sent, and the client reads the
complete body. Each background task is held until the client has read the whole
response; then it writes its line to log.txt. (Had the tasks run before the response
was sent, the client would never have had it, the tasks would have waited in vain and
the demo would fail.) The response and a log line can be a millisecond apart: the
order is what counts. The request's cleanup (closing its session) runs last."""

MERMAID_HELP = """\
The dependency graph of send_notification, as Mermaid text. To see it drawn, paste the
lines below into https://mermaid.live, or into a Markdown file between ```mermaid and
``` (GitHub and GitLab draw it):"""


class Timeline:
    """Events from the server's threads and the client, stamped relative to the start."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self._lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self._lock:
            self._lines.append((time.perf_counter() - self.start, text))

    def take(self) -> list[str]:
        """The lines recorded since the last call, oldest first."""
        with self._lock:
            lines = [f"  t={at:6.3f}s  {text}" for at, text in self._lines]
            self._lines.clear()
        return lines


timeline = Timeline()
# Set by the client once it has read a response's whole body; cleared before each request.
client_read_response = threading.Event()
request_finished = threading.Event()
tasks_that_did_not_wait: list[str] = []


class NotificationLog:
    """The example's log.txt (here in a temporary directory)."""

    def __init__(self, path: Path) -> None:
        self.path = path


class Session:
    """A request-scoped resource: its cleanup runs after the background tasks."""


def write_log(log: NotificationLog, message: str) -> None:
    # Held until the client has read the whole response: had tasks run before the
    # response was sent, the client would never get it and this wait would time out.
    task = f"task {message.strip()!r}"
    if client_read_response.is_set():
        timeline(f"server: {task} starts (the client has the whole response)")
    else:
        timeline(f"server: {task} starts, held until the client has the whole response")
    if not client_read_response.wait(TIMEOUT):
        tasks_that_did_not_wait.append(message.strip())
    with log.path.open(mode="a") as log_file:
        log_file.write(message)
    timeline(f"server: {task} wrote its line to log.txt")


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
        timeline("server: request cleanup ran (session closed)")
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


def send(url: str, path: str) -> list[str]:
    """POST ``path``, read the whole response, let the tasks go; the request's timeline."""
    client_read_response.clear()
    request_finished.clear()
    timeline(f"client: POST {path}")
    request = urllib.request.Request(url + path, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        status, body = response.status, json.loads(response.read())
    timeline(f"client: has read the complete response: {status} {json.dumps(body)}")
    client_read_response.set()
    if not request_finished.wait(TIMEOUT):
        raise SystemExit("the request did not finish")
    return timeline.take()


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        log_path = Path(directory) / "log.txt"
        container = make_container(log_path)
        app = Starlette(
            routes=[Route("/send-notification/{email}", send_notification, methods=["POST"])]
        )
        setup(app, container)
        print("injectkit demo: FastAPI's Background Tasks example on Starlette + uvicorn")
        with serve(app) as url:
            print(f"serving on {url}, sending {len(REQUESTS)} requests\n")
            print(EXPLANATION)
            timeline.take()
            for number, path in enumerate(REQUESTS, 1):
                print(f"\nrequest {number}: POST {path}")
                print("\n".join(send(url, path)))
        if tasks_that_did_not_wait:
            print(f"FAILED: tasks ran before the response was sent: {tasks_that_did_not_wait}")
            return 1
        print("\nlog.txt:")
        print("".join(f"  {line}" for line in log_path.read_text().splitlines(True)), end="")
        print("\n" + MERMAID_HELP)
        view = container.graph(send_notification, context_types=[Request, HTTPConnection])
        print(view.to_mermaid())
    return 0


if __name__ == "__main__":
    sys.exit(main())
