"""A uvicorn server in a child process, on a free 127.0.0.1 port, that stops itself.

The parent (:func:`serve`) starts ``python -m stress._server FRAMEWORK WIRING``, reads
the port from the child's first line of output, yields the base URL, and on exit asks
the server to shut down (SIGTERM: uvicorn's graceful shutdown, lifespan included),
killing it if it has not stopped in time.  The child also ends itself after
``--max-seconds`` whatever the parent does, so no server outlives a run.

A child process keeps the client's work off the server's interpreter (2 cores: one
each) and lets ``/stats`` report the server's own resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


@contextmanager
def serve(framework: str, wiring: str, *, max_seconds: float) -> Iterator[str]:
    """Run the app ``(framework, wiring)`` of :data:`stress._apps.APPS`; yield its URL."""
    command = [
        sys.executable,
        "-m",
        "stress._server",
        framework,
        wiring,
        "--max-seconds",
        str(max_seconds),
    ]
    with tempfile.TemporaryFile("w+") as log:
        child = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL
        )
        try:
            assert child.stdout is not None
            ready, _, _ = select.select([child.stdout], [], [], START_TIMEOUT)
            line = child.stdout.readline() if ready else b""
            if not line:
                log.seek(0)
                raise RuntimeError(f"the {framework}/{wiring} server did not start:\n{log.read()}")
            yield f"http://127.0.0.1:{json.loads(line)['port']}"
        finally:
            _stop(child)


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(STOP_TIMEOUT)
    if child.stdout is not None:
        child.stdout.close()


def _watch(max_seconds: float) -> None:
    """End this process after ``max_seconds``, or as soon as its parent has gone."""
    parent = os.getppid()
    end = time.monotonic() + max_seconds
    while time.monotonic() < end and os.getppid() == parent:
        time.sleep(0.5)
    os._exit(3)


def main(argv: Sequence[str] | None = None) -> int:
    """The child: serve the app on a free port, print ``{"port": N}``, run until told."""
    parser = argparse.ArgumentParser(prog="python -m stress._server")
    parser.add_argument("framework", choices=("starlette", "fastapi"))
    parser.add_argument("wiring", choices=("injectkit", "hand"))
    parser.add_argument("--max-seconds", type=float, default=600.0)
    args = parser.parse_args(argv)

    import uvicorn

    from ._apps import APPS

    # Self-stopping: whatever happens to the parent, this process ends in time.
    threading.Thread(target=_watch, args=(args.max_seconds,), daemon=True).start()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        APPS[args.framework, args.wiring](),
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        print(json.dumps({"port": sock.getsockname()[1]}), flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
