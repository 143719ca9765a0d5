"""FastAPI's tutorial002 on Starlette: a sub-dependency adds its own background task.

``get_query`` and the endpoint declare ``BackgroundTasks``; they get the same object, and
both log lines are written after the response.  ``q`` is read from the query string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.starlette import inject, setup


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


def create_app(log_path: Path = Path("log.txt")) -> Starlette:
    container = Container()
    container.register(NotificationLog, lambda: NotificationLog(log_path), scope="app")
    app = Starlette(
        routes=[Route("/send-notification/{email}", send_notification, methods=["POST"])]
    )
    setup(app, container)
    return app


app = create_app()
