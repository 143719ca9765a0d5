"""Handlers of frameworks that read every unmarked parameter themselves (FastAPI, Litestar).

In such a handler a parameter is injectkit's only when marked for it (injectkit's
``Depends``, ``BackgroundTasks``, :data:`FromContainer`); :func:`split_handler` splits the
parameters between the framework (the signature it is shown) and injectkit (a core
function it calls, where the framework's values are plain free parameters).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from .. import BackgroundTasks, Depends, InjectionError
from .._aliases import unwrap_alias
from .._introspect import call_kind, describe, read_signature, type_name
from .._markers import NOT_FROM_REQUEST
from ._setup_checks import require_function

T = TypeVar("T")
_KEYWORD = inspect.Parameter.KEYWORD_ONLY

__all__ = [
    "FROM_CONTAINER",
    "FromContainer",
    "is_for_injectkit",
    "SplitHandler",
    "split_handler",
    "core_function",
    "provided_value_core",
    "copy_names",
]


class _FromContainer:
    """The ``Annotated`` marker behind :data:`FromContainer`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FromContainer"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """pydantic asks this when FastAPI reads a ``FromContainer`` parameter as a request
        field: the function did not go through the adapter's ``inject`` (or ``@inject``
        sits above ``@app.get``, which hands FastAPI the undecorated function)."""
        raise InjectionError(
            f"FastAPI is reading a FromContainer[{type_name(source)}] parameter as a "
            "request field: the function it belongs to was not decorated with the "
            "adapter's inject before FastAPI saw it (FastAPI would say 'Invalid args for "
            "response field!').",
            hint="put @inject (from injectkit.integrations.fastapi import inject) "
            "directly on the function, under the route decorator: @app.get(...), then "
            "@inject.",
        )


FROM_CONTAINER = _FromContainer()

FromContainer = Annotated[T, FROM_CONTAINER]
"""``FromContainer[Session]``: in an injected function, the container's ``Session``.

For frameworks that read every unmarked parameter themselves (FastAPI, Litestar).
"""


def is_for_injectkit(annotation: Any, default: Any) -> bool:
    """Whether a parameter is marked for injectkit rather than for the framework.

    Marked: injectkit's ``Depends`` (as ``Annotated`` metadata or default), injectkit's
    ``BackgroundTasks``, ``FromContainer[T]``, or ``NotFromRequest[T]`` (the framework
    would read it from the request; injectkit gives it its default).
    """
    if isinstance(default, Depends):
        return True
    annotation = unwrap_alias(annotation)  # ``type DB = Annotated[Session, Depends(...)]``
    base = annotation
    if typing.get_origin(annotation) is Annotated:
        base, *metadata = typing.get_args(annotation)
        if any(isinstance(m, (Depends, _FromContainer)) or m is NOT_FROM_REQUEST for m in metadata):
            return True
    return base is BackgroundTasks


@dataclass(frozen=True)
class SplitHandler:
    """A handler's parameters split between the framework and injectkit.

    ``core`` is what injectkit calls: every parameter keyword-only, the framework's ones
    turned into plain free parameters (so their values also reach injectkit's
    dependencies by name).  ``visible`` are the framework's parameters, with their
    annotations evaluated, for the signature the framework reads.
    """

    handler: Callable[..., Any]
    name: str
    core: Callable[..., Any]
    visible: tuple[inspect.Parameter, ...]
    return_annotation: Any
    # The locals around the decorator: string annotations of the handler's dependencies
    # may name classes defined there (an app built in a factory function).
    namespace: Mapping[str, Any] | None = None

    @property
    def visible_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.visible)


def split_handler(
    handler: Callable[..., Any],
    *,
    framework: str,
    namespace: Mapping[str, Any] | None = None,
    is_for_injectkit: Callable[[Any, Any], bool] = is_for_injectkit,
) -> SplitHandler:
    """Split ``handler``'s parameters (see :class:`SplitHandler`); raises InjectionError."""
    original = require_function(handler, framework)
    name = describe(original)
    kind = call_kind(original)
    if kind.has_finalizer:
        raise InjectionError(
            f"{name} is {kind.with_article} function; the {framework} adapter injects functions "
            "and async functions.",
            path=(name,),
            hint="make it an injectkit provider (Depends or @container.provider), or a "
            f"plain {framework} dependency without @inject.",
        )
    read_signature(original, namespace)  # an annotation that cannot be evaluated: say which
    try:
        hints = typing.get_type_hints(original, localns=dict(namespace or {}), include_extras=True)
    except Exception:  # read_signature found them fine with its own fallbacks
        hints = {}
    signature = inspect.signature(original)
    visible: list[inspect.Parameter] = []
    for_core: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        # The framework sees an alias' value: not every version of it unwraps aliases.
        annotation = unwrap_alias(hints.get(parameter.name, parameter.annotation))
        if is_for_injectkit(annotation, parameter.default):
            for_core.append(parameter.replace(kind=_KEYWORD, annotation=annotation))
        else:
            visible.append(parameter.replace(kind=_KEYWORD, annotation=annotation))
            for_core.append(inspect.Parameter(parameter.name, _KEYWORD))
    return SplitHandler(
        handler=original,
        name=name,
        core=core_function(original, for_core),
        visible=tuple(visible),
        return_annotation=hints.get("return", signature.return_annotation),
        namespace=namespace,
    )


def core_function(
    handler: Callable[..., Any], parameters: Iterable[inspect.Parameter]
) -> Callable[..., Any]:
    """A function with the signature ``parameters`` that calls ``handler(**values)``."""
    core: Callable[..., Any]
    if call_kind(handler).is_async:

        async def call_async(**values: Any) -> Any:
            return await handler(**values)

        core = call_async
    else:

        def call_sync(**values: Any) -> Any:
            return handler(**values)

        core = call_sync

    parameters = list(parameters)
    copy_names(core, handler)  # errors name the handler, not this function
    setattr(core, "__signature__", inspect.Signature(parameters))  # noqa: B010
    core.__annotations__ = {
        p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty
    }
    return core


def provided_value_core(tp: Any, *, module: str) -> Callable[..., Any]:
    """The function behind an adapter's ``provide(tp)``: it takes the container's ``tp``.

    It is async so that every kind of provider of ``tp`` resolves in it: an async or async
    generator provider is awaited (a sync function here would make the container refuse
    them), and a sync one runs inline as in any async call.  Its name, ``provide(T)``,
    is what chains in errors show.
    """

    async def from_container(value: Any) -> Any:
        return value

    name = f"provide({type_name(tp)})"
    from_container.__name__ = from_container.__qualname__ = name
    from_container.__module__ = module
    return core_function(from_container, [inspect.Parameter("value", _KEYWORD, annotation=tp)])


def copy_names(wrapper: Any, original: Any) -> None:
    """Give ``wrapper`` the name, module and docstring of ``original`` (no ``__wrapped__``:
    frameworks follow it to the original's signature)."""
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(wrapper, attribute, getattr(original, attribute, None))
