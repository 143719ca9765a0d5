"""A Celery app with a task whose graph is wrong: its worker must refuse to start."""

from __future__ import annotations

import os

from celery import Celery

from injectkit import Container
from injectkit.integrations.celery import inject, setup

celery_app = Celery(
    "injectkit_broken",
    broker=os.environ.get("INJECTKIT_TEST_BROKER", "redis://"),
    set_as_current=False,
)
celery_app.conf.broker_connection_retry_on_startup = True
container = Container()
setup(celery_app, container)


class Mailer:
    """Registered nowhere."""


@inject(celery_app)
def notify(user_id: int, mailer: Mailer) -> None:
    """Needs a Mailer that nothing provides."""
