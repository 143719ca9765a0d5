"""Real Redis and real Celery workers for the Celery tests (imported by test_celery*.py).

- ``redis_url``: a redis-server of the test session's own (Debian's package, installed
  by .ci/run): a free 127.0.0.1 port, no persistence, its own directory.  Where it is
  not installed, the tests that need it skip and say so.
- ``Worker``: a ``celery worker`` subprocess (``--pool=solo`` unless told, 127.0.0.1's
  Redis only),
  started and waited for until it says it is ready; ``stop()`` (a warm shutdown) or
  ``kill()`` (SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import free_socket

WAIT = 60.0  # a loaded 2-core machine starts a worker in 3-10 s
REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS is None,
    reason="redis-server is not installed and could not be (Debian: apt-get install "
    "redis-server; .ci/run installs it when it runs as root or with sudo)",
)


def wait_until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll ``check`` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session", name="redis_url")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of its own: a free 127.0.0.1 port, no persistence, its own directory."""
    if REDIS is None:
        pytest.skip("redis-server is not installed")
    directory = tmp_path_factory.mktemp("redis")
    with free_socket() as sock:
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _redis_answers(port), "redis-server starting")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(WAIT)


def worker_command(app: str, *options: str, pool: str = "solo") -> list[str]:
    """``celery -A app worker`` as the tests run it (one process, no cluster chatter)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        f"--pool={pool}",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        *options,
    ]


class Worker:
    """A ``celery worker`` subprocess of ``app`` (``module:attribute``), its log in a file."""

    def __init__(
        self,
        app: str,
        log: Path,
        *,
        broker: str,
        queue: str = "celery",
        import_root: Path,
        env: dict[str, str] | None = None,
        pool: str = "solo",
    ) -> None:
        self.log = log
        self._output = log.open("wb")
        name = f"{queue}-{uuid.uuid4().hex[:8]}@127.0.0.1"
        self.process = subprocess.Popen(
            worker_command(app, "-Q", queue, "-l", "info", "-n", name, pool=pool),
            cwd=import_root,
            env={
                **os.environ,
                **(env or {}),
                "INJECTKIT_TEST_BROKER": broker,
                "PYTHONPATH": str(import_root),
            },
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._ready, f"the worker for {queue} starting")

    @property
    def pid(self) -> int:
        return self.process.pid

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{self.log.read_text()}")
        return " ready." in self.log.read_text()

    def stop(self) -> int:
        """A warm shutdown (SIGTERM), as a deployment does; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(WAIT)
        finally:
            self._output.close()

    def kill(self) -> None:
        """SIGKILL: the worker dies in the middle of whatever it runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(WAIT)
        self._output.close()
