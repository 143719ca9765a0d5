"""FastAPI's tutorial002 as a Click command: a sub-dependency adds its own task.

Run it with ``python -m examples.click.tutorial002 ada@example.com --q injectkit`` from
the repository's root.  It prints, in this order: the command's message, each task's
line as it appends to log.txt (the sub-dependency's first), and the request finalizer
closing the log file, which the tasks still used.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TextIO

import click

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.click import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def open_log(settings: Settings) -> Iterator[TextIO]:
    """The request's log file: closed after the tasks have run."""
    with open(settings.log_path, mode="a") as log:
        yield log
    click.echo("finalizer: log file closed")


Log = Annotated[TextIO, Depends(open_log)]


def write_log(log: TextIO, message: str) -> None:
    log.write(message)
    click.echo(f"task: {message.strip()}")


def get_query(background_tasks: BackgroundTasks, log: Log, q: str | None = None) -> str | None:
    if q:
        message = f"found query: {q}\n"
        background_tasks.add_task(write_log, log, message)
    return q


@click.command()
@click.argument("email")
@click.option("--q", default=None, help="A query to log too.")
@inject
def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    log: Log,
    q: Annotated[str | None, Depends(get_query)],
) -> None:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, log, message)
    click.echo("Message sent")


def create_cli(settings: Settings | None = None) -> click.Command:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")
    setup(send_notification, container)
    return send_notification


if __name__ == "__main__":
    create_cli()()
