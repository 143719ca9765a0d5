"""The checks an adapter's ``setup`` and ``inject`` make on what the user handed them.

A user mistake here (``setup(app, None)``, swapped arguments, ``@inject`` above the route
decorator, a second ``setup``, a framework that is not installed) is worded once, for
every adapter, as an :class:`~injectkit.InjectionError` (or the ImportError naming the
extra to install) instead of an AttributeError at the first request.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any

from .. import Container, InjectionError
from .._exceptions import combine
from .._framework_guard import ADAPTER_INJECT_HINT
from .._introspect import describe, type_name, unwrap_injected
from .._wording import safe_repr

__all__ = [
    "missing_extra",
    "require_container",
    "require_function",
    "already_set_up",
    "is_core_injected",
    "core_inject_in_fastapi",
]


def missing_extra(framework: str, extra: str, error: ImportError) -> ImportError:
    """The ImportError an adapter raises when its framework is not installed."""
    # injectkit is not on PyPI yet: the install that works today is from a clone.
    message = (
        f"injectkit.integrations.{extra} needs {framework}, which is not installed: "
        f'python -m pip install "./injectkit[{extra}]" (from the directory holding your '
        f'clone of injectkit; pip install "injectkit[{extra}]" once it is on PyPI)'
    )
    replacement = ImportError(message, name=error.name)
    replacement.__cause__ = error
    return replacement


def require_container(
    container: object, framework: str, *, app: object = None, call: str = "setup(app, container)"
) -> Container:
    """``container`` if it is a Container; else the InjectionError that says what went in.

    Checked before ``setup`` touches the app, so that ``setup(app, None)`` or swapped
    arguments fail here rather than as an AttributeError at the first request.
    """
    if isinstance(container, Container):
        return container
    name = call.split("(", 1)[0]
    arguments = call[len(name) :]
    if isinstance(app, Container):
        hint = f"the arguments are swapped: call {call}, the app first."
    else:
        hint = f"pass the injectkit Container: {call}."
    raise InjectionError(
        f"{framework} {name}() takes {arguments}: got {_shown(container)} as the container.",
        hint=hint,
    )


def require_function(handler: Any, framework: str) -> Callable[..., Any]:
    """The function under ``handler`` (past an injectkit decorator); InjectionError if
    ``handler`` is no function, e.g. ``@inject`` put above the route decorator."""
    original = unwrap_injected(handler)
    if inspect.isfunction(original) or inspect.ismethod(original):
        return typing.cast(Callable[..., Any], original)
    raise InjectionError(
        f"The {framework} adapter's @inject decorates a handler function: got {_shown(original)}.",
        hint="put @inject directly on the handler function, under the route decorator.",
    )


def already_set_up(app_name: str) -> InjectionError:
    """The error of a second ``setup`` for one app (``app_name``: "this aiohttp app")."""
    return InjectionError(
        f"setup() has already been called for {app_name}.",
        hint="call setup(app, container) once per app.",
    )


def is_core_injected(call: object) -> bool:
    """Whether ``call`` was decorated with the core ``container.inject`` and takes
    parameters (which a framework reading its signature would fill itself)."""
    if getattr(call, "__injectkit_container__", None) is None:
        return False
    try:
        return bool(inspect.signature(unwrap_injected(call)).parameters)
    except (TypeError, ValueError):  # pragma: no cover - container.inject read it
        return True


def core_inject_in_fastapi(calls: Sequence[Callable[..., Any]]) -> InjectionError:
    """The start-up error for FastAPI routes and dependencies decorated with the core
    ``container.inject``: FastAPI reads their signature and fills every parameter itself
    (a registered type as a body, an ``injectkit.Depends`` one as a query value)."""
    errors = [
        InjectionError(
            f"{describe(unwrap_injected(call))} is a FastAPI route or dependency decorated "
            "with container.inject, the core decorator: FastAPI reads its parameters and "
            "fills them itself (as path, query or body values), so injectkit's markers on "
            "them are not used.",
            path=[describe(unwrap_injected(call))],
            hint=ADAPTER_INJECT_HINT,
        )
        for call in dict.fromkeys(calls)
    ]
    return errors[0] if len(errors) == 1 else combine(errors)


def never_set_up(missing: str, route: str, handler: str | None, hint: str) -> InjectionError:
    """The error of an injected handler reached on an app whose ``setup`` was never called:
    ``handler (route GET /items/{n}): <missing>.``, with the adapter's own ``setup`` as
    the fix (``handler`` None: ``get_scope()`` called outside an injected handler)."""
    if handler is None:
        return InjectionError(f"{route}: {missing}.", hint=hint)
    return InjectionError(f"{handler} (route {route}): {missing}.", path=(handler,), hint=hint)


def _shown(value: object) -> str:
    text = safe_repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type_name(type(value))})"
