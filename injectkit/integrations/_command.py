"""Commands of a command line (Click, Typer): a request scope per invocation.

An adapter's ``inject`` turns a command function into the callback the framework calls
with the command line's values (:func:`injected_callback`); its ``setup`` binds every
such command to a :class:`CommandBinding` (the container, the types the invocation's
context is resolvable by, the async backend) and validates it
(:meth:`InjectedCommand.check`).  Per invocation, :meth:`InjectedCommand.run` opens a
request scope, calls the function (an ``async def`` one with ``anyio.run``), and closes
the scope: tasks after the command's work, then finalizers; the container closes when
the framework closes the root context.  The framework's context object is used by duck
typing (``find_root``, ``meta``, ``call_on_close``, ``info_name``), which Click's and
Typer's (a copy of Click's) both have: this module imports neither.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any

import anyio

from .. import Container, InjectionError, RequestScope
from .._exceptions import combine
from .._introspect import call_kind, describe, type_name
from ._setup_checks import require_function
from ._split_handler import copy_names

__all__ = [
    "CommandBinding",
    "InjectedCommand",
    "command_of",
    "injected_callback",
    "running_scope",
]

_CLOSING_KEY = "injectkit.closing"  # in the root context's meta: containers it closes
_COMMAND_ATTR = "__injectkit_command__"
_running: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "injectkit_command_scope", default=None
)


def running_scope() -> RequestScope:
    """The request scope of the injected command running now; InjectionError if none."""
    scope = _running.get()
    if scope is None:
        raise InjectionError(
            "get_scope() needs an injected command running, and none is.",
            hint="decorate the command with the adapter's inject (its scope lives while "
            "it runs), or open one yourself with `with container.request():`.",
        )
    return scope


class CommandBinding:
    """What ``setup`` ties to the commands of one command line.

    ``context_types``: the types the invocation's ``click.Context`` is resolvable by;
    ``async_backend``: what ``anyio.run`` runs ``async def`` commands and the container's
    closing on (``"asyncio"`` or ``"trio"``).
    """

    __slots__ = ("async_backend", "container", "context_types")

    def __init__(
        self, container: Container, context_types: tuple[type, ...], async_backend: str
    ) -> None:
        self.container = container
        self.context_types = context_types
        self.async_backend = async_backend


class InjectedCommand:
    """An injected command function: the handler, and the binding ``setup`` gave it."""

    __slots__ = ("binding", "checked_with", "handler", "is_async", "name")

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.handler = handler
        self.name = describe(handler)
        self.is_async = call_kind(handler).is_async
        self.binding: CommandBinding | None = None
        self.checked_with: frozenset[str] | None = None

    def bind(self, binding: CommandBinding) -> None:
        """Tie the command to ``binding``: the last ``setup`` that saw it wins (an app
        factory called again, a test's fresh container)."""
        if self.binding is not binding:
            self.binding = binding
            self.checked_with = None

    # -- validation --------------------------------------------------------------------

    def check(self, passed: Collection[str], command_name: str) -> None:
        """Validate the graph strictly, with ``passed`` the names the command line fills;
        raises one InjectionError naming every problem, before anything runs."""
        binding = self._bound()
        container = binding.container
        container.validate(
            self.handler, context_types=binding.context_types, strict=True, passed=passed
        )
        graph = container.graph(self.handler, context_types=binding.context_types)
        free = {p.name: p for p in graph.free_parameters}
        problems: list[InjectionError] = []
        for name in sorted(set(passed) - set(free)):
            problems.append(
                InjectionError(
                    f"The command {command_name!r} has the option or argument {name!r}, but "
                    f"no free parameter of {self.name} or of its dependencies is named so.",
                    path=(self.name,),
                    requested=name,
                    hint=f"add a parameter `{name}` to {self.name} (or to a dependency), or "
                    "rename the option; an injected parameter cannot be set from the "
                    "command line.",
                )
            )
        for parameter in free.values():
            if parameter.required and parameter.name not in passed:
                shown = parameter.name
                if parameter.annotation is not inspect.Parameter.empty:
                    shown += f": {type_name(parameter.annotation)}"
                path = (
                    (self.name,) if parameter.owner == self.name else (self.name, parameter.owner)
                )
                problems.append(
                    InjectionError(
                        f"Parameter {shown!r} of {parameter.owner} is not injected and no "
                        f"option or argument of the command {command_name!r} fills it.",
                        path=path,
                        requested=shown,
                        hint=f"add an option or argument named {parameter.name!r}, give the "
                        "parameter a default, or register its type with the container.",
                    )
                )
        if problems:
            raise combine(problems)
        self.checked_with = frozenset(passed)

    def _bound(self) -> CommandBinding:
        binding = self.binding
        if binding is None:
            raise InjectionError(
                f"The command {self.name} is injected, but no container was set up for it.",
                path=(self.name,),
                hint="call setup(cli, container) on the command line's root group, after "
                "adding its commands.",
            )
        return binding

    # -- one invocation ------------------------------------------------------------------

    def run(self, ctx: Any, values: dict[str, Any]) -> Any:
        """Run the handler in a request scope of its own; close the scope after it."""
        binding = self._bound()
        if self.checked_with is None:  # bound but not yet checked (setup checks each one)
            self.check(tuple(values), ctx.info_name or self.name)
        _close_container_with(ctx.find_root(), binding)
        context = dict.fromkeys(binding.context_types, ctx)
        if self.is_async:
            return anyio.run(
                functools.partial(self._arun, context, values), backend=binding.async_backend
            )
        with binding.container.request(context) as scope:
            token = _running.set(scope)
            try:
                return scope.call_sync(self.handler, **values)
            finally:
                _running.reset(token)

    async def _arun(self, context: Mapping[Any, Any], values: dict[str, Any]) -> Any:
        binding = self._bound()
        async with binding.container.request(context) as scope:
            token = _running.set(scope)
            try:
                return await scope.call(self.handler, **values)
            finally:
                _running.reset(token)


def _close_container_with(root: Any, binding: CommandBinding) -> None:
    """Close the container when Click closes the root context (the end of ``cli()``)."""
    closing: set[int] = root.meta.setdefault(_CLOSING_KEY, set())
    if id(binding) in closing:
        return
    closing.add(id(binding))

    def close() -> None:
        anyio.run(binding.container.aclose, backend=binding.async_backend)

    root.call_on_close(close)


def command_of(callback: Any) -> InjectedCommand | None:
    """The :class:`InjectedCommand` behind a callback made by :func:`inject`, or None."""
    found = getattr(callback, _COMMAND_ATTR, None)
    return found if isinstance(found, InjectedCommand) else None


def injected_callback(
    handler: Callable[..., Any], framework: str, context_of: Callable[[dict[str, Any]], Any]
) -> Callable[..., Any]:
    """The sync callback Click (or Typer) calls with the command line's values, for
    ``handler``; ``context_of(values)`` finds the invocation's context (and removes it
    from ``values`` if the framework passed it there)."""
    original = require_function(handler, framework)
    kind = call_kind(original)
    if kind.has_finalizer:
        raise InjectionError(
            f"{describe(original)} is {kind.with_article} function and cannot be a command.",
            path=(describe(original),),
            hint="use it as a provider (Depends or @container.provider) instead.",
        )
    command = InjectedCommand(original)

    def callback(**values: Any) -> Any:
        return command.run(context_of(values), values)

    copy_names(callback, original)
    setattr(callback, _COMMAND_ATTR, command)
    return callback
