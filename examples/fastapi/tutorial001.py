"""FastAPI's tutorial001 on FastAPI: write the notification after the response.

Run it with ``uvicorn examples.fastapi.tutorial001:app`` and
``curl -X POST localhost:8000/send-notification/a@b.c``; log.txt is written after the
response has been sent.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from injectkit import BackgroundTasks, Container
from injectkit.integrations.fastapi import FromContainer, inject, setup


class NotificationLog:
    """Where notifications are written (log.txt in FastAPI's example)."""

    def __init__(self, path: Path) -> None:
        self.path = path


def write_notification(log: NotificationLog, email: str, message: str = "") -> None:
    with log.path.open(mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


router = APIRouter()


@router.post("/send-notification/{email}")
@inject
async def send_notification(
    email: str, background_tasks: BackgroundTasks, log: FromContainer[NotificationLog]
) -> dict[str, str]:
    background_tasks.add_task(write_notification, log, email, message="some notification")
    return {"message": "Notification sent in the background"}


def create_app(log_path: Path = Path("log.txt")) -> FastAPI:
    container = Container()
    container.register(NotificationLog, lambda: NotificationLog(log_path), scope="app")
    app = FastAPI()
    app.include_router(router)
    setup(app, container)
    return app


app = create_app()
