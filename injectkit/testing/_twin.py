"""Twins: stand-ins that look like a provider to the core and call the real one.

The core reads a provider's parameters to resolve them and its call kind (function,
coroutine function, generator, async generator) to know how to get its value and whether
a teardown follows.  A twin shows the core the same parameters (minus any the test binds
to fixed values) and the same call kind, calls the real provider, and can report when it
is called and when its teardown starts.  ``call_provider`` binds inputs with twins;
``record`` watches providers run with them.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Annotated, Any

from .._introspect import MISSING, CallKind, Signature, describe, read_signature, unwrap_injected

__all__ = ["Teardown", "make_twin", "read_provider"]

# Called with the exception thrown into the provider at its ``yield`` (None on success).
Teardown = Callable[[BaseException | None], None]


def read_provider(provider: Any) -> Signature:
    """The core's reading of ``provider`` (raises the core's InjectionError if unreadable)."""
    return read_signature(unwrap_injected(provider))


def _twin_signature(signature: Signature, bound: Mapping[str, Any]) -> inspect.Signature:
    parameters = []
    for param in signature.parameters:
        if param.name in bound:
            continue
        annotation: Any = param.annotation
        if param.marker is not None:
            base = Any if annotation is MISSING else annotation
            annotation = Annotated[base, param.marker]
        elif annotation is MISSING:
            annotation = inspect.Parameter.empty
        default = inspect.Parameter.empty if param.default is MISSING else param.default
        # Keyword-only, so that dropping bound parameters never makes an invalid signature.
        parameters.append(
            inspect.Parameter(
                param.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return inspect.Signature(parameters)


def make_twin(
    provider: Any,
    *,
    bound: Mapping[str, Any] | None = None,
    on_call: Callable[[], None] | None = None,
    on_teardown: Teardown | None = None,
    label: str | None = None,
) -> Callable[..., Any]:
    """A callable the core resolves like ``provider``, with ``bound`` parameters fixed.

    ``on_call`` runs when the core calls it, ``on_teardown`` when a generator provider's
    teardown starts.  Its name is the provider's, so graphs and errors read the same.
    """
    bound = dict(bound or {})
    original = unwrap_injected(provider)
    signature = read_provider(original)
    order = [(param.name, param.keyword_only) for param in signature.parameters]

    def arrange(received: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for name, keyword_only in order:
            value = bound[name] if name in bound else received[name]
            if keyword_only:
                kwargs[name] = value
            else:
                args.append(value)
        return args, kwargs

    called = on_call or _nothing
    teardown = on_teardown or _nothing_with
    kind = signature.kind
    twin: Callable[..., Any]

    if kind is CallKind.SYNC:

        def twin(**received: Any) -> Any:
            called()
            args, kwargs = arrange(received)
            return original(*args, **kwargs)

    elif kind is CallKind.ASYNC:

        async def twin(**received: Any) -> Any:
            called()
            args, kwargs = arrange(received)
            return await original(*args, **kwargs)

    elif kind is CallKind.GENERATOR:

        def twin(**received: Any) -> Generator[Any, None, None]:
            called()
            args, kwargs = arrange(received)
            return (yield from _delegate(original(*args, **kwargs), teardown))

    else:

        async def twin(**received: Any) -> AsyncGenerator[Any, None]:
            called()
            args, kwargs = arrange(received)
            agen = original(*args, **kwargs)
            # The async twin of ``_delegate`` (async generators have no ``yield from``).
            try:
                value = await agen.__anext__()
            except StopAsyncIteration:
                return
            try:
                yield value
            except GeneratorExit:
                await agen.aclose()
                raise
            except BaseException as exc:
                teardown(exc)
                try:
                    await agen.athrow(exc)
                except StopAsyncIteration:
                    return
            else:
                teardown(None)
                try:
                    await agen.__anext__()
                except StopAsyncIteration:
                    return
            try:
                yield value
            finally:
                await agen.aclose()

    name = label or describe(original)
    twin.__name__ = twin.__qualname__ = name
    twin.__module__ = getattr(original, "__module__", None) or __name__
    twin.__doc__ = getattr(original, "__doc__", None)
    sig = _twin_signature(signature, bound)
    setattr(twin, "__signature__", sig)  # noqa: B010 - functions take any attribute
    annotations = {
        p.name: p.annotation
        for p in sig.parameters.values()
        if p.annotation is not inspect.Parameter.empty
    }
    if signature.returns is not MISSING:
        annotations["return"] = signature.returns
    twin.__annotations__ = annotations
    return twin


def _nothing() -> None:
    pass


def _nothing_with(exc: BaseException | None) -> None:
    pass


def _delegate(gen: Generator[Any, Any, Any], teardown: Teardown) -> Generator[Any, None, None]:
    """Pass one generator provider through, noting when its teardown starts.

    The core drives the twin exactly as it would drive the provider (``next`` for a clean
    exit, ``throw`` with the exception that ended the scope, ``close`` when the provider
    misbehaved), so every outcome, swallowed exceptions and a second ``yield`` included,
    reaches the core as the provider produced it.
    """
    try:
        value = next(gen)
    except StopIteration:
        return  # the core reports a provider that never yielded
    try:
        yield value
    except GeneratorExit:
        gen.close()
        raise
    except BaseException as exc:
        teardown(exc)
        try:
            gen.throw(exc)
        except StopIteration:
            return  # the provider swallowed it: the core warns and re-raises
    else:
        teardown(None)
        try:
            next(gen)
        except StopIteration:
            return
    try:  # it yielded again: hand that on, so the core names the provider in its error
        yield value
    finally:
        gen.close()
