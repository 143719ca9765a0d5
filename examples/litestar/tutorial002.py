"""FastAPI's tutorial002 on Litestar: a sub-dependency adds its own background task.

``get_query`` is an injectkit dependency: it and the handler declare injectkit's
``BackgroundTasks`` and get the same object; both log lines are written after the
response.  ``email`` is Litestar's path parameter; ``q`` is read from the query string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from litestar import Litestar, post
from litestar.params import FromPath

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.litestar import FromContainer, InjectKitPlugin, inject


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


@post("/send-notification/{email:str}", status_code=200)
@inject
async def send_notification(
    email: FromPath[str],
    background_tasks: BackgroundTasks,
    log: FromContainer[NotificationLog],
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, log, message)
    return {"message": "Message sent"}


def create_app(log_path: Path = Path("log.txt")) -> Litestar:
    container = Container()
    container.register(NotificationLog, lambda: NotificationLog(log_path), scope="app")
    return Litestar([send_notification], plugins=[InjectKitPlugin(container)])


app = create_app()
