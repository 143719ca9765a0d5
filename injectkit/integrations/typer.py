"""Typer adapter: the Click adapter's request scope per command invocation, for Typer apps.

::

    import typer
    from injectkit.integrations.typer import inject, setup

    app = typer.Typer()

    @app.command()
    @inject
    def notify(email: str, mailer: Mailer, tasks: BackgroundTasks) -> None:
        tasks.add_task(write_log, f"notified {email}\\n")
        typer.echo(f"sending to {email}")

    setup(app, container)   # after the commands, before app() runs

Typer builds the command line from a function's signature, so ``setup`` shows Typer a
signature of the command's *free* parameters only: those of the function and of its
dependencies (the same name reaches both), with their annotations (``Annotated[str,
typer.Option(...)]`` included) and defaults.  Everything the container, the request
context (``typer.Context``) or ``BackgroundTasks`` provides stays off
the command line.  Invocations then go exactly as with
:mod:`injectkit.integrations.click`: a request scope per invocation (tasks after the
command's work, then finalizers), ``async def`` commands run with ``anyio.run``, the
container closed when the command line is done, every injected command validated by
``setup``.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from .. import Container, InjectionError, RequestScope
from .._exceptions import combine
from .._introspect import caller_locals, describe
from ._command import (
    CommandBinding,
    InjectedCommand,
    command_of,
    injected_callback,
    running_scope,
)
from ._kernel import missing_extra, require_container

try:
    import typer
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise missing_extra("Typer", "typer", error) from None

__all__ = ["get_scope", "inject", "setup"]

F = TypeVar("F", bound=Callable[..., Any])

_NAMESPACE_ATTR = "__injectkit_namespace__"
# The parameter through which Typer hands the callback its context (Typer passes the
# context to a parameter annotated ``typer.Context``); never a user's name.
_CONTEXT_PARAMETER = "injectkit_typer_context__"


def _context_of(values: dict[str, Any]) -> typer.Context:
    context: typer.Context = values.pop(_CONTEXT_PARAMETER)
    return context


def get_scope() -> RequestScope:
    """The request scope of the injected command running now:
    ``get_scope().call_sync(func)`` runs ``func`` with injection in it."""
    return running_scope()


def inject(command: F) -> F:
    """Decorator for a Typer command function: its non-free parameters are injected and
    hidden from the command line.  Put it under ``@app.command()``; ``def`` or ``async
    def`` (run with ``anyio.run``)."""
    callback = injected_callback(command, "Typer", _context_of)
    # For string annotations naming classes local to a function (tests!).
    setattr(callback, _NAMESPACE_ATTR, caller_locals(1) or {})
    return cast(F, callback)


def _walk(app: typer.Typer, prefix: str) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(name, callback) for every command and callback under ``app``."""
    stack = [(prefix, app)]
    while stack:
        name, current = stack.pop()
        if current.registered_callback is not None and current.registered_callback.callback:
            yield name, current.registered_callback.callback
        for info in current.registered_commands:
            if info.callback is not None:
                command = info.name or info.callback.__name__.replace("_", "-")
                yield f"{name} {command}".strip(), info.callback
        for group in current.registered_groups:
            if group.typer_instance is not None:
                stack.append((f"{name} {group.name or ''}".strip(), group.typer_instance))


def _command_line(
    callback: Callable[..., Any], injected: InjectedCommand
) -> list[inspect.Parameter]:
    """The parameters Typer is shown: the graph's free parameters, the handler's own with
    their annotations (Typer's ``Annotated`` metadata kept) and defaults, in order."""
    binding = cast(CommandBinding, injected.binding)
    graph = binding.container.graph(injected.handler, context_types=binding.context_types)
    free = {p.name: p for p in graph.free_parameters}
    namespace = dict(getattr(callback, _NAMESPACE_ATTR, {}))
    try:
        hints = typing.get_type_hints(injected.handler, localns=namespace, include_extras=True)
    except Exception:  # the graph read them with its own fallbacks
        hints = {}
    shown: list[inspect.Parameter] = []
    own = inspect.signature(injected.handler).parameters
    for name, parameter in own.items():
        if name in free and free[name].owner == injected.name:
            annotation = hints.get(name, free[name].annotation)
            shown.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=parameter.default,
                    annotation=annotation,
                )
            )  # fmt: skip
    taken = {p.name for p in shown}
    for name, other in free.items():  # a dependency's free parameters, after
        if name not in taken:
            shown.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=other.default,
                    annotation=other.annotation,
                )
            )  # fmt: skip
    return shown


def _show(callback: Callable[..., Any], parameters: list[inspect.Parameter]) -> None:
    """Give ``callback`` the signature Typer reads (its ``__signature__`` and evaluated
    ``__annotations__``: Typer evaluates hints in the callback's own module)."""
    context = inspect.Parameter(
        _CONTEXT_PARAMETER, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
    )
    setattr(callback, "__signature__", inspect.Signature([*parameters, context]))  # noqa: B010
    callback.__annotations__ = {
        p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty
    }


def setup(app: typer.Typer, container: Container, *, async_backend: str = "asyncio") -> None:
    """Tie ``container`` to every injected command under ``app``; validate them now.

    Call it after adding the commands and sub-apps, before ``app()`` builds the command
    line.  ``async_backend``: ``"asyncio"`` (default) or ``"trio"``.
    """
    container = require_container(container, "Typer", app=app, call="setup(app, container)")
    if not isinstance(app, typer.Typer):
        raise InjectionError(
            f"Typer setup() takes a typer.Typer: got {describe(app)}.",
            hint="pass the app made by typer.Typer().",
        )
    binding = CommandBinding(container, (typer.Context,), async_backend)
    problems: list[InjectionError] = []
    for name, callback in _walk(app, app.info.name or ""):
        injected = command_of(callback)
        if injected is None:
            continue
        injected.bind(binding)
        try:
            container.validate(injected.handler, context_types=binding.context_types)
            parameters = _command_line(callback, injected)
            _show(callback, parameters)
            injected.check([p.name for p in parameters], name or injected.name)
        except InjectionError as error:
            problems.extend(error.errors)
    if problems:
        raise combine(problems)
