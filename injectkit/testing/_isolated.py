"""``call_provider``: run one provider with some of its inputs given by the test."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar, overload

from .._container import Container
from .._exceptions import InjectionError
from .._introspect import describe, type_name, unwrap_injected
from .._markers import Depends
from .._request import RequestScope
from .._wording import safe_repr
from . import _core_access as core
from ._twin import make_twin, read_provider

__all__ = ["call_provider", "call_provider_sync", "called_without_container"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True

T = TypeVar("T")

_NO_PROVIDER: Any = object()  # call_provider(provider, ...): the container is the plugin's

Target = Container | RequestScope


_fixture_containers: list[Container] = []  # the pytest plugin's injectkit_app, innermost last


@contextmanager
def called_without_container(container: Container) -> Iterator[None]:
    """While open, ``call_provider(provider, ...)`` (no container) uses ``container``: the
    pytest plugin opens it for as long as its ``injectkit_app`` fixture lives."""
    _fixture_containers.append(container)
    try:
        yield
    finally:
        _fixture_containers.remove(container)


def _arguments(
    where: Any, provider: Any, inputs: Any
) -> tuple[Target, Any, Mapping[Any, Any] | None]:
    """``(where, provider, inputs)`` whether or not the call named a container first."""
    if isinstance(where, (Container, RequestScope)):
        if provider is _NO_PROVIDER:
            raise InjectionError(
                "call_provider() takes the provider to run after the container.",
                hint="call_provider(container, provider, ...).",
            )
        return where, provider, inputs
    # call_provider(provider, inputs): the second positional is the inputs mapping.
    given = [
        value for value in (provider, inputs) if value is not _NO_PROVIDER and value is not None
    ]
    if len(given) > 1 or not all(isinstance(value, Mapping) for value in given):
        raise InjectionError(
            f"call_provider() takes a Container or a RequestScope first, not {safe_repr(where)}.",
            hint="pass the container the provider is registered in.",
        )
    return _fixture_container(where), where, given[0] if given else None


def _fixture_container(provider: Any) -> Container:
    if _fixture_containers:
        return _fixture_containers[-1]
    raise InjectionError(
        f"call_provider({describe(unwrap_injected(provider))}) without a container needs "
        "the injectkit pytest plugin's container: a test that uses injectkit_app (or "
        "injectkit_scope, injectkit_tasks, injectkit_recorder).",
        hint="pass the container the provider is registered in first: "
        "call_provider(container, provider, ...).",
    )


def _prepare(
    where: Target, provider: Any, inputs: Mapping[Any, Any] | None, values: dict[str, Any]
) -> tuple[Container, RequestScope | None, Callable[..., Any], str, dict[str, Any]]:
    """The container, the scope to join (if any), the bound twin, its label, call kwargs."""
    where, provider, inputs = _arguments(where, provider, inputs)
    scope: RequestScope | None
    if isinstance(where, RequestScope):
        container, scope = where.container, where
    else:
        container, scope = where, where.current_scope
    target = unwrap_injected(provider)
    if isinstance(target, type):
        found = core.effective_provider(container, target)
        if found is not None and not core.is_plain_value(found[0], target):
            target = unwrap_injected(found[0])
    label = describe(target)
    signature = read_provider(target)
    names = {p.name for p in signature.parameters}
    bound = {name: value for name, value in values.items() if name in names}
    passed_on = {name: value for name, value in values.items() if name not in names}
    for tp, value in (inputs or {}).items():
        matching = [p.name for p in signature.parameters if _same_type(p.annotation, tp)]
        if not matching:
            described = ", ".join(p.describe() for p in signature.parameters) or "none"
            raise InjectionError(
                f"call_provider({label}): no parameter of {label} is annotated with "
                f"{type_name(tp)} (its parameters: {described}).",
                path=(label,),
                requested=type_name(tp),
                hint="give inputs by type only for the provider's own parameters; to "
                "replace something deeper in its graph, override it.",
            )
        for name in matching:
            bound.setdefault(name, value)
    twin = make_twin(target, bound=bound)
    return container, scope, twin, label, passed_on


def _same_type(annotation: Any, tp: Any) -> bool:
    try:
        return bool(annotation == tp)
    except Exception:  # an annotation with an odd __eq__ never matches
        return False


def _root(twin: Callable[..., Any], label: str, *, sync: bool) -> Callable[..., Any]:
    # The twin is a dependency of a tiny root, so that a generator provider's value is
    # handed out and its teardown runs when the request scope closes, as in real use.
    root: Callable[..., Any]
    if sync:

        def sync_root(value: Any) -> Any:
            return value

        root = sync_root
    else:

        async def async_root(value: Any) -> Any:
            return value

        root = async_root
    marker = Depends(twin, use_cache=False)
    root.__annotations__ = {"value": Annotated[Any, marker]}
    parameter = inspect.Parameter(
        "value", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[Any, marker]
    )
    setattr(root, "__signature__", inspect.Signature([parameter]))  # noqa: B010
    root.__name__ = root.__qualname__ = f"call_provider({label})"
    return root


@overload
async def call_provider(
    where: Target,
    provider: Callable[..., AsyncIterator[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    where: Target,
    provider: Callable[..., Awaitable[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    where: Target,
    provider: Callable[..., Iterator[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    where: Target,
    provider: type[T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    where: Target,
    provider: Callable[..., T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    provider: Callable[..., AsyncIterator[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    provider: Callable[..., Awaitable[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    provider: Callable[..., Iterator[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    provider: type[T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
async def call_provider(
    provider: Callable[..., T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


async def call_provider(
    where: Any,
    provider: Any = _NO_PROVIDER,
    /,
    inputs: Any = None,
    **values: Any,
) -> Any:
    """Run ``provider`` once, with some of its inputs given; resolve the rest as usual.

    ``values`` given by the name of one of the provider's own parameters are passed to it
    as they are, whatever would have filled that parameter; other names are offered to
    the free parameters deeper in its graph, like a call's keyword arguments.  ``inputs``
    maps types to values for the provider's parameters annotated with those types.
    ``provider`` may be a registered type (its provider runs, overrides applied).

    The provider always runs anew (no cached value is reused).  ``where`` is a container
    or a request scope; in a test using the pytest plugin's fixtures it may be left out
    (``call_provider(get_user, name="ada")``): the plugin's container is used.  In an
    open scope (``where`` itself, or the container's current one) the value joins it and
    a generator provider's teardown runs when that scope closes; otherwise a request
    scope is opened for the call and closed before this returns.
    """
    container, scope, twin, label, passed_on = _prepare(where, provider, inputs, values)
    root = _root(twin, label, sync=False)
    if scope is not None:
        return await scope.call(root, **passed_on)
    async with container.request() as own:
        return await own.call(root, **passed_on)


@overload
def call_provider_sync(
    where: Target,
    provider: Callable[..., Iterator[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
def call_provider_sync(
    where: Target,
    provider: type[T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
def call_provider_sync(
    where: Target,
    provider: Callable[..., T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
def call_provider_sync(
    provider: Callable[..., Iterator[T]],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
def call_provider_sync(
    provider: type[T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


@overload
def call_provider_sync(
    provider: Callable[..., T],
    inputs: Mapping[Any, Any] | None = None,
    /,
    **values: Any,
) -> T: ...


def call_provider_sync(
    where: Any,
    provider: Any = _NO_PROVIDER,
    /,
    inputs: Any = None,
    **values: Any,
) -> Any:
    """The sync twin of :func:`call_provider`: ``provider``'s graph must be sync."""
    container, scope, twin, label, passed_on = _prepare(where, provider, inputs, values)
    root = _root(twin, label, sync=True)
    if scope is not None:
        return scope.call_sync(root, **passed_on)
    with container.request() as own:
        return own.call_sync(root, **passed_on)
