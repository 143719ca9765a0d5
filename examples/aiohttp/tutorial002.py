"""FastAPI's tutorial002 on aiohttp: a sub-dependency adds its own background task.

Run it with ``python examples/aiohttp/tutorial002.py`` and send
``curl -X POST "http://127.0.0.1:8080/send-notification/ada@example.com?q=injectkit"``.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from aiohttp import web

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.aiohttp import inject, setup


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
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    settings: Settings,
    q: Annotated[str | None, Depends(get_query)],
) -> web.Response:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, settings.log_path, message)
    return web.json_response({"message": "Message sent"})


def create_app(settings: Settings | None = None) -> web.Application:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")

    app = web.Application()
    app.router.add_post("/send-notification/{email}", send_notification)
    setup(app, container)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=8080)
