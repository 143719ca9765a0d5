"""FastAPI's tutorial001 as a Click command: the notification is written after the
command's own work.

Run it with ``python -m examples.click.tutorial001 ada@example.com`` from the
repository's root: it prints that the notification is on its way, then the background
task writes log.txt.
"""

from dataclasses import dataclass
from pathlib import Path

import click

from injectkit import BackgroundTasks, Container
from injectkit.integrations.click import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def write_notification(log_path: Path, email: str, message: str = "") -> None:
    with open(log_path, mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)
    click.echo(f"task: wrote the notification for {email}")


@click.command()
@click.argument("email")
@inject
def send_notification(email: str, background_tasks: BackgroundTasks, settings: Settings) -> None:
    background_tasks.add_task(
        write_notification, settings.log_path, email, message="some notification"
    )
    click.echo("Notification sent in the background")


def create_cli(settings: Settings | None = None) -> click.Command:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")
    setup(send_notification, container)
    return send_notification


if __name__ == "__main__":
    create_cli()()
