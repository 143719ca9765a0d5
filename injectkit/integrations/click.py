"""Click adapter: a request scope per command invocation, the app scope per process.

::

    import click
    from injectkit.integrations.click import inject, setup

    @click.group()
    def cli() -> None: ...

    @cli.command()
    @click.argument("email")
    @inject
    def notify(email: str, mailer: Mailer, tasks: BackgroundTasks) -> None:
        tasks.add_task(write_log, f"notified {email}\\n")
        click.echo(f"sending to {email}")

    setup(cli, container)   # after the commands: validates every injected one

How an invocation goes:

- Click's own decorators (``@click.option``, ``@click.argument``) declare the command
  line, as always; Click passes their values to the command, and those are the values
  of its *free* parameters (and of its providers' free parameters, by name).  The other
  parameters are injected and never appear on the command line.
- Each call of an injected command opens a request scope (the ``click.Context`` in its
  context), runs the command (an ``async def`` one with ``anyio.run``), then closes it:
  the background tasks run after the command's own work, then the request finalizers.
  If the command raised, its tasks are dropped, the finalizers see the exception, and it
  propagates (a non-zero exit status).
- The app scope lives for the whole invocation of the command line: the container is
  closed (its app-scoped finalizers run) when Click closes the root context, at the end
  of ``cli()``, before the process exits.
- ``setup`` validates every injected command reachable from the group before anything
  runs: a broken graph, an option that no parameter reads, or a free parameter that no
  option or argument fills raises an InjectionError naming the command and the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from .. import Container, InjectionError, RequestScope
from .._exceptions import combine
from .._introspect import describe
from ._command import CommandBinding, command_of, injected_callback, running_scope
from ._kernel import missing_extra, require_container

try:
    import click
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise missing_extra("Click", "click", error) from None

__all__ = ["get_scope", "inject", "setup"]

F = TypeVar("F", bound=Callable[..., Any])


def _current_context(values: dict[str, Any]) -> click.Context:
    return click.get_current_context()


def inject(command: F) -> F:
    """Decorator for a Click command function: its non-free parameters are injected.

    Put it directly on the function, under ``@click.option`` / ``@click.argument`` and the
    ``@click.command()`` / ``@group.command()`` decorator.  The function may be ``def`` or
    ``async def`` (run with ``anyio.run``).
    """
    return cast(F, injected_callback(command, "Click", _current_context))


def get_scope() -> RequestScope:
    """The request scope of the injected command running now:
    ``get_scope().call_sync(func)`` runs ``func`` with injection in it."""
    return running_scope()


# --- setup ------------------------------------------------------------------------------------


def _walk(cli: click.Command) -> Iterator[tuple[str, click.Command]]:
    """Every command under ``cli`` (itself included), with its dotted name."""
    stack: list[tuple[str, click.Command]] = [(cli.name or "cli", cli)]
    while stack:
        name, command = stack.pop()
        yield name, command
        if isinstance(command, click.Group):
            stack.extend((f"{name} {sub}", c) for sub, c in command.commands.items())


def setup(cli: click.Command, container: Container, *, async_backend: str = "asyncio") -> None:
    """Tie ``container`` to every injected command under ``cli``; validate them now.

    Call it after adding the commands (a command it does not see has no container).
    ``async_backend`` is what ``async def`` commands and the container's
    closing run on: ``"asyncio"`` (default) or ``"trio"``.
    """
    container = require_container(container, "Click", app=cli, call="setup(cli, container)")
    if not isinstance(cli, click.Command):
        raise InjectionError(
            f"Click setup() takes a click.Command or click.Group: got {describe(cli)}.",
            hint="pass the group (or command) made by @click.group() / @click.command().",
        )
    binding = CommandBinding(container, _context_types(), async_backend)
    problems: list[InjectionError] = []
    for name, command in _walk(cli):
        injected = command_of(command.callback)
        if injected is None:
            continue
        injected.bind(binding)
        try:
            injected.check([p.name for p in command.params if p.name], name)
        except InjectionError as error:
            problems.extend(error.errors)
    if problems:
        raise combine(problems)


def _context_types() -> tuple[type, ...]:
    return (click.Context,)
