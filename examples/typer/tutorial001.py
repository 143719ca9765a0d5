"""FastAPI's tutorial001 as a Typer command: the notification is written after the
command's own work.

Run it with ``python -m examples.typer.tutorial001 ada@example.com`` from the
repository's root.  Typer builds the command line from the free parameters only:
``email``; ``background_tasks`` and ``settings`` are injected.
"""

from dataclasses import dataclass
from pathlib import Path

import typer

from injectkit import BackgroundTasks, Container
from injectkit.integrations.typer import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def write_notification(log_path: Path, email: str, message: str = "") -> None:
    with open(log_path, mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)
    typer.echo(f"task: wrote the notification for {email}")


@inject
def send_notification(email: str, background_tasks: BackgroundTasks, settings: Settings) -> None:
    background_tasks.add_task(
        write_notification, settings.log_path, email, message="some notification"
    )
    typer.echo("Notification sent in the background")


def create_cli(settings: Settings | None = None) -> typer.Typer:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")
    app = typer.Typer()
    app.command()(send_notification)
    setup(app, container)
    return app


if __name__ == "__main__":
    create_cli()()
