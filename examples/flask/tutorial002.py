"""FastAPI's tutorial002 on Flask: a sub-dependency adds its own background task.

Run it with ``flask --app examples/flask/tutorial002.py run`` and send
``curl -X POST "http://127.0.0.1:5000/send-notification/ada@example.com?q=injectkit"``.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from flask import Flask

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.flask import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def write_log(log_path: Path, message: str) -> None:
    with open(log_path, mode="a") as log:
        log.write(message)


def get_query(
    background_tasks: BackgroundTasks, settings: Settings, q: str | None = None
) -> str | None:
    if q:
        message = f"found query: {q}\n"
        background_tasks.add_task(write_log, settings.log_path, message)
    return q


@inject
def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    settings: Settings,
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, settings.log_path, message)
    return {"message": "Message sent"}


def create_app(settings: Settings | None = None) -> Flask:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")

    app = Flask(__name__)
    app.post("/send-notification/<email>")(send_notification)
    setup(app, container)
    return app
