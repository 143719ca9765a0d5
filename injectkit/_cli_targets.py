"""What ``python -m injectkit`` shows: the functions of a target, and the container to
solve them in.

- a ``Container``: every function decorated with its ``inject``;
- a function decorated with ``container.inject``: that container;
- a route decorated with an adapter's ``inject``: the container it was set up with (an
  app in the route's module whose routes run it), else the one the route's module holds,
  else the only one loaded; solved strictly as the adapter does at start-up (a
  parameter of an unregistered class is an error, not a value "from the call");
- any other function: ``--container``, else ``injectkit.default_container``.

Anything else (an app object, a class instance, a constant) is refused: a graph of its
``__call__`` (``scope, receive, send``) says nothing.  When a type is registered nowhere
the CLI looked, :func:`container_suggestion` names the loaded containers the function
solves in, for ``--container``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ._container import Container, default_container
from ._exceptions import InjectionError, UnresolvableDependencyError
from ._introspect import ORIGINAL_ATTR, type_name

__all__ = ["Target", "UsageError", "container_suggestion", "load", "targets"]


class UsageError(Exception):
    """A target that cannot be found or shown; reported on stderr with exit status 2."""


@dataclass(frozen=True)
class Target:
    """The container, the functions to show, and how to solve them."""

    container: Container
    functions: list[Callable[..., Any]]
    whole_container: bool = False
    strict: bool = False  # an adapter's route: validated as the adapter does
    passed: frozenset[str] = frozenset()  # parameters the framework fills itself
    container_given: bool = False


def load(spec: str) -> Any:
    """The object named by ``module:attribute`` (the attribute may be dotted)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"{spec!r} is not a target; write module:attribute, e.g. app.main:handler")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name!r}: {exc}") from None
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"{module_name!r} has no attribute {attribute!r}") from None
    return obj


def targets(obj: Any, spec: str, container_spec: str | None) -> Target:
    """What to show for the object ``spec`` named."""
    from .testing._core_access import injected_functions

    if isinstance(obj, Container):
        functions = injected_functions(obj)
        if not functions:
            raise UsageError("that container has no functions decorated with container.inject")
        return Target(obj, functions, whole_container=True)
    handler, mark = _function_of(obj, spec)
    if container_spec is not None:
        container = load(container_spec)
        if not isinstance(container, Container):
            raise UsageError(f"--container {container_spec} is not a Container")
    elif isinstance(getattr(obj, "__injectkit_container__", None), Container):
        container = obj.__injectkit_container__
    elif mark is not None:
        container = _container_of_route(spec, mark)
    else:
        container = default_container
    passed = frozenset(getattr(mark, "provided", ()))
    return Target(
        container,
        [handler],
        strict=mark is not None,
        passed=passed,
        container_given=container_spec is not None,
    )


def _function_of(obj: Any, spec: str) -> tuple[Callable[..., Any], Any]:
    """The user's function behind ``obj`` and the adapter's mark (None if not a route)."""
    from .integrations._endpoint import endpoint_of

    mark = endpoint_of(obj)
    handler = mark.handler if mark is not None else getattr(obj, ORIGINAL_ATTR, obj)
    inner = handler.func if isinstance(handler, functools.partial) else handler
    if inspect.isfunction(inner) or inspect.ismethod(inner):
        return handler, mark
    if not callable(obj):
        raise UsageError(f"{obj!r} is neither a container nor a callable")
    raise UsageError(
        f"{spec} is {_an(type_name(type(obj)))} object, not a function: its graph would "
        "be its __call__'s parameters. Name a function (a route or a handler), or the "
        "container: python -m injectkit graph module:container"
    )


def _an(name: str) -> str:
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _container_of_route(spec: str, mark: Any) -> Container:
    """The container an adapter's route was set up with: that of an app in its module
    whose routes run it (Starlette, FastAPI), else the one container its module holds,
    else the only one the loaded modules hold; ``default_container`` if none."""
    module = sys.modules.get(spec.partition(":")[0])
    adapter = sys.modules.get("injectkit.integrations.starlette")  # loaded if set up
    if adapter is not None and module is not None:
        for value in list(vars(module).values()):
            found = adapter.container_serving(value, mark)
            if found is not None:
                return cast(Container, found)
    own = _containers_in(module)
    if len(own) == 1:
        return next(iter(own))
    loaded = loaded_containers()
    if len(own) > 1 or len(loaded) > 1:
        names = ", ".join(sorted((own or loaded).values()))
        raise UsageError(
            f"{spec} is a route of an adapter, and there are several containers "
            f"({names}): pass the one the app was set up with, --container MODULE:ATTR"
        )
    return next(iter(loaded)) if loaded else default_container


def _containers_in(module: Any) -> dict[Container, str]:
    if module is None:
        return {}
    found: dict[Container, str] = {}
    for name, value in list(vars(module).items()):
        # type(), not isinstance(): isinstance reads __class__, which a lazy proxy (Django's
        # settings, its static files storage) answers by building the object it stands for.
        if issubclass(type(value), Container) and value not in found:
            found[value] = f"{module.__name__}:{name}"
    return found


def loaded_containers() -> dict[Container, str]:
    """Every Container a loaded module (outside injectkit) holds, named module:attribute."""
    found: dict[Container, str] = {}
    for name, module in list(sys.modules.items()):
        if name == "injectkit" or name.startswith("injectkit."):
            continue
        for container, where in _containers_in(module).items():
            found.setdefault(container, where)
    return found


def container_suggestion(
    error: InjectionError, target: Target, contexts: list[Any], rerun: str
) -> str | None:
    """For a type registered nowhere the CLI looked: which ``--container`` to pass
    (``rerun`` is the command to repeat with it)."""
    if not any(isinstance(e, UnresolvableDependencyError) for e in error.errors):
        return None
    function = target.functions[0]
    solving = sorted(
        where
        for container, where in loaded_containers().items()
        if container is not target.container and _solves(container, target, function, contexts)
    )
    if solving:
        # In backquotes, so that the command stays on one line when the text is wrapped.
        return f"it is registered in {', '.join(solving)}: `{rerun} --container {solving[0]}`"
    if target.container_given:
        return None
    return (
        "pass the container that registers it: --container MODULE:ATTR "
        "(and --context MODULE:TYPE for a type the framework's request gives)"
    )


def _solves(
    container: Container, target: Target, function: Callable[..., Any], contexts: list[Any]
) -> bool:
    try:
        container.validate(
            function, context_types=contexts, strict=target.strict, passed=target.passed
        )
    except InjectionError:
        return False
    return True
