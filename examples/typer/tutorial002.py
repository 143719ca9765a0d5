"""FastAPI's tutorial002 as a Typer command: a sub-dependency adds its own task.

Run it with ``python -m examples.typer.tutorial002 ada@example.com --q injectkit`` from
the repository's root.  ``--q`` is on the command line because ``get_query``, a
dependency, has a free parameter ``q``; the command's own ``q`` is injected.  It prints
the command's message, each task's line (the sub-dependency's first), then the request
finalizer closing the log file, which the tasks still used.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TextIO

import typer

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.typer import inject, setup


@dataclass
class Settings:
    log_path: Path = Path("log.txt")


def open_log(settings: Settings) -> Iterator[TextIO]:
    """The request's log file: closed after the tasks have run."""
    with open(settings.log_path, mode="a") as log:
        yield log
    typer.echo("finalizer: log file closed")


Log = Annotated[TextIO, Depends(open_log)]


def write_log(log: TextIO, message: str) -> None:
    log.write(message)
    typer.echo(f"task: {message.strip()}")


def get_query(background_tasks: BackgroundTasks, log: Log, q: str | None = None) -> str | None:
    if q:
        message = f"found query: {q}\n"
        background_tasks.add_task(write_log, log, message)
    return q


@inject
def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    log: Log,
    q: Annotated[str | None, Depends(get_query)],
) -> None:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, log, message)
    typer.echo("Message sent")


def create_cli(settings: Settings | None = None) -> typer.Typer:
    container = Container()
    container.register(Settings, lambda: settings or Settings(), scope="app")
    app = typer.Typer()
    app.command()(send_notification)
    setup(app, container)
    return app


if __name__ == "__main__":
    create_cli()()
