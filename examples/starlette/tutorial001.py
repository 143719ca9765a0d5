"""FastAPI's tutorial001 on Starlette: write the notification after the response.

Run it with ``uvicorn examples.starlette.tutorial001:app`` and
``curl -X POST localhost:8000/send-notification/a@b.c``; log.txt is written after the
response has been sent.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import BackgroundTasks, Container
from injectkit.integrations.starlette import inject, setup


class NotificationLog:
    """Where notifications are written (log.txt in FastAPI's example)."""

    def __init__(self, path: Path) -> None:
        self.path = path


def write_notification(log: NotificationLog, email: str, message: str = "") -> None:
    with log.path.open(mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


@inject
async def send_notification(
    email: str, background_tasks: BackgroundTasks, log: NotificationLog
) -> dict[str, str]:
    background_tasks.add_task(write_notification, log, email, message="some notification")
    return {"message": "Notification sent in the background"}


def create_app(log_path: Path = Path("log.txt")) -> Starlette:
    container = Container()
    container.register(NotificationLog, lambda: NotificationLog(log_path), scope="app")
    app = Starlette(
        routes=[Route("/send-notification/{email}", send_notification, methods=["POST"])]
    )
    setup(app, container)
    return app


app = create_app()
