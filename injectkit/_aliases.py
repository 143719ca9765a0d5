"""Type aliases (PEP 695 ``type X = ...``, ``TypeAliasType``) seen through.

An alias is a name for an annotation, so ``type DB = Annotated[Session, Depends(get_db)]``
must mean exactly what its value means wherever injectkit reads an annotation: in a
parameter, a return type, ``register()``, ``override()``, ``resolve()`` and an adapter's
markers.  Unwrapping happens once, when a signature is read, never per call.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Annotated, Any, get_args, get_origin

import typing_extensions

from ._exceptions import InjectionError
from ._wording import exception_message

__all__ = ["has_forward_references", "is_alias", "unwrap_alias"]

# typing_extensions' backport is its own class before Python 3.14; both can occur.
_ALIAS_TYPES: tuple[type, ...] = tuple(
    {
        typing_extensions.TypeAliasType,
        getattr(typing, "TypeAliasType", typing_extensions.TypeAliasType),
    }
)
# An alias that names itself (``type A = B``, ``type B = A``) would never end.
_MAX_DEPTH = 64


def is_alias(annotation: Any) -> bool:
    return isinstance(annotation, _ALIAS_TYPES) or isinstance(get_origin(annotation), _ALIAS_TYPES)


def unwrap_alias(annotation: Any) -> Any:
    """``annotation`` with aliases replaced by their values, at the top and under
    ``Annotated`` (whose metadata is kept: an outer ``Depends`` wins over an inner one).

    Anything that is no alias comes back as it is (the same object).
    """
    seen: list[Any] = []
    while True:
        origin = get_origin(annotation)
        # ``Alias[int]`` of a generic alias first: on Python 3.10 it passes for an
        # instance of its origin's class (``types.GenericAlias`` forwards ``__class__``).
        if isinstance(origin, _ALIAS_TYPES):
            seen.append(origin)
            annotation = _substitute(origin, get_args(annotation))
        elif isinstance(annotation, _ALIAS_TYPES):
            seen.append(annotation)
            annotation = _value(annotation)
        elif origin is Annotated:
            base, *metadata = get_args(annotation)
            inner = unwrap_alias(base)
            if inner is base:
                return annotation
            # Annotated flattens: Annotated[Annotated[T, a], b] is Annotated[T, a, b].
            flattened = (inner, *metadata)
            return Annotated[flattened]
        else:
            return annotation
        if len(seen) > _MAX_DEPTH:
            names = " -> ".join(getattr(a, "__name__", repr(a)) for a in seen[:4])
            raise InjectionError(
                f"The type alias {names} ... never ends: it names itself.",
                requested=getattr(seen[0], "__name__", repr(seen[0])),
                hint="give the alias a value that is not (through other aliases) itself.",
            )


def _value(alias: Any) -> Any:
    """The alias' value, with string forward references inside it evaluated."""
    name = getattr(alias, "__name__", repr(alias))
    try:
        value = alias.__value__  # PEP 695 aliases evaluate their value lazily, here
    except Exception as exc:
        raise InjectionError(
            f"Cannot evaluate the value of the type alias {name}: {exception_message(exc)}.",
            requested=name,
            hint="define or import every name the alias uses before the function that "
            "uses the alias is first called.",
        ) from None
    if has_forward_references(value):
        module = sys.modules.get(getattr(alias, "__module__", ""), None)
        probe = types.SimpleNamespace(__annotations__={"value": value})
        try:
            value = typing_extensions.get_type_hints(
                probe, globalns=vars(module) if module else {}, include_extras=True
            )["value"]
        except Exception as exc:
            raise InjectionError(
                f"Cannot evaluate the type alias {name} = {value!r}: {exception_message(exc)}.",
                requested=name,
                hint="import the names the alias uses at module level, or write them "
                "without quotes.",
            ) from None
    return value


def _substitute(alias: Any, args: tuple[Any, ...]) -> Any:
    """The value of a generic alias with its type parameters replaced by ``args``."""
    value = _value(alias)
    params = getattr(alias, "__type_params__", ())
    if value in params:  # ``type Same[T] = T``
        position = params.index(value)
        return args[position] if position < len(args) else value
    if getattr(value, "__parameters__", ()):
        try:
            return value[args if len(args) != 1 else args[0]]
        except TypeError:
            return value
    return value


def has_forward_references(annotation: Any) -> bool:
    """Whether ``annotation`` is or holds a string or forward reference (``Annotated``
    metadata aside): only ``get_type_hints`` evaluates those."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, typing.ForwardRef)):
            return True
        args = get_args(item)
        stack.extend(args[:1] if get_origin(item) is Annotated else args)
    return False
