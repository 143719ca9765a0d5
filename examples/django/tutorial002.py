"""FastAPI's tutorial002 on Django: a sub-dependency adds its own background task.

``get_query`` and the view declare ``BackgroundTasks``; they get the same object, and
both log lines are written after the response.  ``q`` is read from the query string.
Run it with ``uvicorn --factory examples.django.tutorial002:create_app``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.django import inject, lifespan, setup


class NotificationLog:
    """Where log lines are appended (log.txt in FastAPI's example)."""

    def __init__(self, path: Path) -> None:
        self.path = path


def write_log(log: NotificationLog, message: str) -> None:
    with log.path.open(mode="a") as log_file:
        log_file.write(message)


def get_query(
    background_tasks: BackgroundTasks, log: NotificationLog, q: str | None = None
) -> str | None:
    if q:
        message = f"found query: {q}\n"
        background_tasks.add_task(write_log, log, message)
    return q


@csrf_exempt
@inject
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    log: NotificationLog,
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, log, message)
    return {"message": "Message sent"}


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
