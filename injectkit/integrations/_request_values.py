"""Free parameters read from the request: strings converted, bad values as 422 details.

A handler's free parameters (those neither the container, the request context nor the
framework fills) come from the path, then the query.  :func:`converter_for` decides once,
at startup, how a string becomes the parameter's annotation (``str``, ``int``, ``float``,
``bool``, an ``Enum``, their optionals); a :class:`FieldReader` applies it per request,
and a value that does not convert is a :class:`ParameterProblem` in the
:class:`InvalidParameters` the adapter answers with 422, FastAPI's way.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._aliases import unwrap_alias

__all__ = [
    "ParameterProblem",
    "InvalidParameters",
    "Unconvertible",
    "converter_for",
    "strip_optional",
    "FieldReader",
]


@dataclass(frozen=True)
class ParameterProblem:
    """One request value that could not be used; rendered as FastAPI's 422 details."""

    source: str  # "path", "query", ... or "request" when the value was in none of them
    name: str
    kind: str  # "missing", "int_parsing", "float_parsing", "bool_parsing", "enum"
    message: str
    value: str | None = None
    context: dict[str, str] | None = None  # pydantic's "ctx" (an enum's expected values)

    def as_dict(self) -> dict[str, Any]:
        """The error as FastAPI's ``RequestValidationError.errors()`` has it: ``loc`` a
        tuple, ``input`` None for a missing value, ``ctx`` only where pydantic gives one."""
        detail: dict[str, Any] = {
            "type": self.kind,
            "loc": (self.source, self.name),
            "msg": self.message,
            "input": self.value,
        }
        if self.context is not None:
            detail["ctx"] = dict(self.context)
        return detail


class InvalidParameters(ValueError):
    """The request's path or query values do not fit the handler: answer 422.

    This is the client's mistake, not the app's, so it is not an InjectionError.
    ``body()`` is the JSON body to send: ``{"detail": [{"loc": [...], "msg": ...}]}``.
    """

    status_code = 422

    def __init__(self, problems: Iterable[ParameterProblem]) -> None:
        self.problems = tuple(problems)
        names = ", ".join(f"{p.name} ({p.message})" for p in self.problems)
        super().__init__(f"invalid request parameters: {names}")

    def body(self) -> dict[str, Any]:
        return {"detail": [problem.as_dict() for problem in self.problems]}


class Unconvertible(ValueError):
    def __init__(self, kind: str, message: str, context: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.context = context


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _to_str(value: str) -> str:
    return value


def _parsed_as(parse: Callable[[str], Any], kind: str, message: str) -> Callable[[str], Any]:
    """A converter that calls ``parse`` and words its ValueError as FastAPI does."""

    def convert(value: str) -> Any:
        try:
            return parse(value)
        except ValueError:
            raise Unconvertible(kind, message) from None

    return convert


_to_int = _parsed_as(
    int, "int_parsing", "Input should be a valid integer, unable to parse string as an integer"
)
_to_float = _parsed_as(
    float, "float_parsing", "Input should be a valid number, unable to parse string as a number"
)


def _to_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise Unconvertible(
        "bool_parsing", "Input should be a valid boolean, unable to interpret input"
    )


def _to_enum(cls: type[enum.Enum]) -> Callable[[str], Any]:
    def convert(value: str) -> Any:
        for member in cls:
            if str(member.value) == value:
                return member
        raise Unconvertible("enum", f"Input should be {expected}", {"expected": expected})

    # pydantic's wording: "'a', 'b' or 'c'"
    *others, last = [repr(m.value) for m in cls] or [""]
    expected = f"{', '.join(others)} or {last}" if others else last

    return convert


_SCALARS: dict[Any, Callable[[str], Any]] = {
    str: _to_str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
    inspect.Parameter.empty: _to_str,
    Any: _to_str,
}


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0], True
    return annotation, False


def converter_for(annotation: Any) -> Callable[[str], Any] | None:
    """How to turn a request string into ``annotation``; None if there is no way.

    Handles ``str``, ``int``, ``float``, ``bool``, ``Enum`` subclasses, unannotated
    parameters (kept as ``str``) and ``Optional`` / ``X | None`` of these.  A converter
    raises ``ValueError`` (with ``kind`` and ``message``) on a bad value.
    """
    inner, _ = strip_optional(unwrap_alias(annotation))
    inner = unwrap_alias(inner)
    if typing.get_origin(inner) is typing.Annotated:
        inner = unwrap_alias(typing.get_args(inner)[0])
    try:
        scalar = _SCALARS.get(inner)
    except TypeError:  # an unhashable annotation
        return None
    if scalar is not None:
        return scalar
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return _to_enum(inner)
    return None


@dataclass(frozen=True)
class FieldReader:
    """How one free parameter is filled from the request."""

    name: str
    annotation: Any
    required: bool
    convert: Callable[[str], Any] | None  # None: never read from the request (has a default)
    owner: str  # the handler or provider that declares the parameter
    default: Any = inspect.Parameter.empty  # its default, for the OpenAPI schema

    def read(self, sources: tuple[tuple[str, Mapping[str, Any]], ...]) -> tuple[bool, Any]:
        """(found, value) from the first source that has the name; raises Unconvertible."""
        for _, values in sources:
            if self.name in values:
                raw = values[self.name]
                if not isinstance(raw, str) or self.convert is None:
                    return True, raw  # a router already converted it (``{id:int}``)
                return True, self.convert(raw)
        return False, None
