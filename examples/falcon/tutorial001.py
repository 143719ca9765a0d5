"""FastAPI's tutorial001 on Falcon: write the notification after the response.

``create_app()`` is a WSGI ``falcon.App``; ``create_asgi_app()`` the same resource on
``falcon.asgi.App``.  Run one with ``uvicorn --factory examples.falcon.tutorial001:create_asgi_app``
(or any WSGI server for ``create_app``) and send
``curl -X POST http://127.0.0.1:8000/send-notification/ada@example.com``.
"""

from dataclasses import dataclass
from pathlib import Path

import falcon
import falcon.asgi

from injectkit import BackgroundTasks, Container
from injectkit.integrations.falcon import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def write_notification(log_path: Path, email: str, message: str = "") -> None:
    with open(log_path, mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


class SendNotification:
    @inject
    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        email: str,
        background_tasks: BackgroundTasks,
        settings: Settings,
    ) -> None:
        background_tasks.add_task(
            write_notification, settings.log_path, email, message="some notification"
        )
        resp.media = {"message": "Notification sent in the background"}


class AsyncSendNotification:
    @inject
    async def on_post(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        email: str,
        background_tasks: BackgroundTasks,
        settings: Settings,
    ) -> None:
        background_tasks.add_task(
            write_notification, settings.log_path, email, message="some notification"
        )
        resp.media = {"message": "Notification sent in the background"}


def make_container(settings: Settings | None) -> Container:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")
    return container


def create_app(settings: Settings | None = None) -> falcon.App:
    app = falcon.App()
    app.add_route("/send-notification/{email}", SendNotification())
    setup(app, make_container(settings))
    return app


def create_asgi_app(settings: Settings | None = None) -> falcon.asgi.App:
    app = falcon.asgi.App()
    app.add_route("/send-notification/{email}", AsyncSendNotification())
    setup(app, make_container(settings))
    return app
