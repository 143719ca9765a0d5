"""What a provider provides, read from its signature: the return annotation, generators
unwrapped to what they yield; and the ``T`` of an optional ``T | None`` parameter."""

from __future__ import annotations

import collections.abc
import types
import typing
from typing import Any, get_args, get_origin

from ._aliases import unwrap_alias
from ._exceptions import InjectionError
from ._introspect import MISSING, Signature, type_name

__all__ = ["is_optional_of", "provided_type"]

_GENERATOR_ORIGINS = {
    collections.abc.Iterator,
    collections.abc.Generator,
    collections.abc.AsyncIterator,
    collections.abc.AsyncGenerator,
    collections.abc.Iterable,
    collections.abc.AsyncIterable,
}


def provided_type(signature: Signature) -> Any:
    """The type a provider gives: its return annotation, generators unwrapped."""
    returns = signature.returns
    if returns is MISSING:
        if isinstance(signature.call, type):
            return signature.call
        raise InjectionError(
            f"{signature.name} has no return annotation, so the type it provides is unknown.",
            path=(signature.name,),
            hint=f"annotate its return type, or use container.register(SomeType, "
            f"{signature.name}).",
        )
    # Annotated metadata is kept: register() refuses it (it would name no key).
    returns = unwrap_alias(returns)
    if signature.kind.has_finalizer:
        bare = any(returns is origin for origin in _GENERATOR_ORIGINS)
        if get_origin(returns) in _GENERATOR_ORIGINS:
            arguments = get_args(returns)
            if arguments:
                return unwrap_alias(arguments[0])
            bare = True  # typing.Iterator without [...]
        if bare:
            raise InjectionError(
                f"{signature.name} is {signature.kind.with_article} provider annotated "
                f"-> {type_name(returns)}, which does not say what it yields.",
                path=(signature.name,),
                requested=type_name(returns),
                hint=f"name the yielded type, e.g. -> {type_name(returns)}[Session], or use "
                f"container.register(SomeType, {signature.name}).",
            )
    return returns


def is_optional_of(annotation: Any) -> Any:
    """``T`` for ``T | None`` / ``Optional[T]``, else MISSING."""
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(get_args(annotation)) == 2:
            return args[0]
    return MISSING
