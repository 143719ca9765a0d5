"""The worker side: a Celery app whose task's dependencies are resolved in the worker.

Run a worker (the broker URL comes from the environment)::

    export BROKER_URL=redis://127.0.0.1:6379/0
    celery -A notifications worker --loglevel=info

``write_notification`` takes the e-mail and the message from the web request; its
``NotificationLog`` (log.txt in FastAPI's example) is built in the worker, once per worker
process, and closed when the worker shuts down.  Delivery is at least once: the line
carries the task id, so a reader can drop a repeated one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from celery import Celery

from injectkit import Container
from injectkit.integrations.celery import TaskInfo, inject, setup

celery_app = Celery(
    "notifications", broker=os.environ.get("BROKER_URL", "redis://127.0.0.1:6379/0")
)
celery_app.conf.broker_connection_retry_on_startup = True
container = Container()
setup(celery_app, container)


class NotificationLog:
    """Where notification lines are appended (log.txt in FastAPI's example)."""

    def __init__(self, file: TextIO) -> None:
        self.file = file

    def write(self, line: str) -> None:
        self.file.write(line)
        self.file.flush()


@container.provider(scope="app")
def notification_log() -> Iterator[NotificationLog]:
    path = Path(os.environ.get("NOTIFICATION_LOG", "log.txt"))
    with path.open("a") as file:  # one per worker process, closed at its shutdown
        yield NotificationLog(file)


@inject(celery_app)
def write_notification(email: str, message: str, log: NotificationLog, info: TaskInfo) -> None:
    """FastAPI's example's write_notification, run by a worker: ``log`` is resolved there."""
    log.write(f"notification for {email}: {message} (task {info.id})\n")
