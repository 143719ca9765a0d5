"""FastAPI's tutorial001 on Flask: write the notification after the response.

Run it with ``flask --app examples/flask/tutorial001.py run`` and send
``curl -X POST http://127.0.0.1:5000/send-notification/ada@example.com``.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from injectkit import BackgroundTasks, Container
from injectkit.integrations.flask import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def write_notification(log_path: Path, email: str, message: str = "") -> None:
    with open(log_path, mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


@inject
def send_notification(
    email: str, background_tasks: BackgroundTasks, settings: Settings
) -> dict[str, str]:
    background_tasks.add_task(
        write_notification, settings.log_path, email, message="some notification"
    )
    return {"message": "Notification sent in the background"}


def create_app(settings: Settings | None = None) -> Flask:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")

    app = Flask(__name__)
    app.post("/send-notification/<email>")(send_notification)
    setup(app, container)
    return app
