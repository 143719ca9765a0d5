"""FastAPI's tutorial001 on aiohttp: write the notification after the response.

Run it with ``python examples/aiohttp/tutorial001.py`` and send
``curl -X POST http://127.0.0.1:8080/send-notification/ada@example.com``.
"""

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from injectkit import BackgroundTasks, Container
from injectkit.integrations.aiohttp import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def write_notification(log_path: Path, email: str, message: str = "") -> None:
    with open(log_path, mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


@inject
async def send_notification(
    email: str, background_tasks: BackgroundTasks, settings: Settings
) -> web.Response:
    background_tasks.add_task(
        write_notification, settings.log_path, email, message="some notification"
    )
    return web.json_response({"message": "Notification sent in the background"})


def create_app(settings: Settings | None = None) -> web.Application:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")

    app = web.Application()
    app.router.add_post("/send-notification/{email}", send_notification)
    setup(app, container)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=8080)
