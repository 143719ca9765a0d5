"""FastAPI's tutorial002 on Falcon: a sub-dependency adds its own background task.

``create_app()`` is a WSGI ``falcon.App``; ``create_asgi_app()`` the same on
``falcon.asgi.App``.  Send
``curl -X POST "http://127.0.0.1:8000/send-notification/ada@example.com?q=injectkit"``.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import falcon
import falcon.asgi

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.falcon import inject, setup


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


class SendNotification:
    @inject
    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        email: str,
        background_tasks: BackgroundTasks,
        settings: Settings,
        q: Annotated[str | None, Depends(get_query)],
    ) -> None:
        message = f"message to {email}\n"
        background_tasks.add_task(write_log, settings.log_path, message)
        resp.media = {"message": "Message sent"}


class AsyncSendNotification:
    @inject
    async def on_post(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        email: str,
        background_tasks: BackgroundTasks,
        settings: Settings,
        q: Annotated[str | None, Depends(get_query)],
    ) -> None:
        message = f"message to {email}\n"
        background_tasks.add_task(write_log, settings.log_path, message)
        resp.media = {"message": "Message sent"}


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
