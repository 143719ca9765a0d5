"""FastAPI's tutorial001 on Django: write the notification after the response.

A one-file Django project.  Run it with
``uvicorn --factory examples.django.tutorial001:create_app`` and
``curl -X POST localhost:8000/send-notification/a@b.c``; log.txt is written after the
response has been sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from injectkit import BackgroundTasks, Container
from injectkit.integrations.django import inject, lifespan, setup


class NotificationLog:
    """Where notifications are written (log.txt in FastAPI's example)."""

    def __init__(self, path: Path) -> None:
        self.path = path


def write_notification(log: NotificationLog, email: str, message: str = "") -> None:
    with log.path.open(mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


@csrf_exempt
@inject
async def send_notification(
    email: str, background_tasks: BackgroundTasks, log: NotificationLog
) -> dict[str, str]:
    background_tasks.add_task(write_notification, log, email, message="some notification")
    return {"message": "Notification sent in the background"}


urlpatterns = [path("send-notification/<str:email>", send_notification)]


def configure_django() -> None:
    """The project's settings; this module is the URLconf."""
    if not settings.configured:
        settings.configure(
            ALLOWED_HOSTS=["127.0.0.1", "localhost"],
            SECRET_KEY="change-me",
            MIDDLEWARE=[
                "injectkit.integrations.django.InjectKitMiddleware",
                "django.middleware.security.SecurityMiddleware",
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
            ],
        )
    settings.ROOT_URLCONF = __name__  # also when the settings came from elsewhere


def create_app(log_path: Path = Path("log.txt")) -> Any:
    container = Container()
    container.register(NotificationLog, lambda: NotificationLog(log_path), scope="app")
    setup(urlpatterns, container)  # in a project: at the end of urls.py
    configure_django()
    return lifespan(get_asgi_application(), container)
