"""FastAPI's tutorial002 on FastAPI: a sub-dependency adds its own background task.

``get_query`` is an injectkit dependency: it and the route declare injectkit's
``BackgroundTasks`` and get the same object; both log lines are written after the
response.  ``email`` is FastAPI's path parameter; ``q`` is read from the query string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.fastapi import FromContainer, inject, setup


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


router = APIRouter()


@router.post("/send-notification/{email}")
@inject
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    log: FromContainer[NotificationLog],
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, log, message)
    return {"message": "Message sent"}


def create_app(log_path: Path = Path("log.txt")) -> FastAPI:
    container = Container()
    container.register(NotificationLog, lambda: NotificationLog(log_path), scope="app")
    app = FastAPI()
    app.include_router(router)
    setup(app, container)
    return app


app = create_app()
