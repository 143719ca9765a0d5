"""examples/celery/ runs as its docstrings say: FastAPI on uvicorn sends, a worker runs.

The web app (app.py) and the worker (``celery -A notifications worker``) are the
example's files, unchanged; Redis is a real redis-server on a free 127.0.0.1 port.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from ._celery_fixtures import Worker, needs_redis, redis_server, wait_until  # noqa: F401
from .conftest import ROOT, serve_asgi

pytestmark = needs_redis
EXAMPLE = ROOT / "examples" / "celery"


@pytest.fixture
def example(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ModuleType, Path]]:
    """The example's web app, imported as a reader runs it: BROKER_URL from the environment."""
    log = tmp_path / "log.txt"
    monkeypatch.setenv("BROKER_URL", redis_url)
    monkeypatch.setenv("NOTIFICATION_LOG", str(log))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    for name in ("app", "notifications"):
        sys.modules.pop(name, None)
    app = importlib.import_module("app")
    try:
        yield app, log
    finally:
        sys.modules["notifications"].celery_app.close()
        for name in ("app", "notifications"):
            sys.modules.pop(name, None)


def test_the_example_notification_is_written_by_the_worker(
    example: tuple[ModuleType, Path], redis_url: str, tmp_path: Path
) -> None:
    """POST /send-notification/{email}: the response comes, then the worker writes the line."""
    app, log = example
    worker = Worker(
        "notifications:celery_app",
        tmp_path / "worker.log",
        broker=redis_url,
        import_root=EXAMPLE,
        env={"BROKER_URL": redis_url, "NOTIFICATION_LOG": str(log)},
    )
    try:
        with serve_asgi(app.app) as url:
            response = httpx.post(f"{url}/send-notification/ada@example.com")
        assert response.json() == {"message": "Notification sent in the background"}
        line = wait_until(lambda: log.exists() and log.read_text(), "the notification line")
    finally:
        assert worker.stop() == 0
    assert line.startswith("notification for ada@example.com: some notification (task ")
