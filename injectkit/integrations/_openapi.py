"""The free parameters an endpoint reads from the request, as OpenAPI parameter objects.

A client can set every free parameter an endpoint reads (its own, and its
sub-dependencies'), so the schema must list them.  :func:`openapi_parameters` turns an
:class:`~injectkit.integrations._endpoint.Endpoint`'s readers into OpenAPI 3 parameter
objects (plain JSON, FastAPI's flavour: ``anyOf`` with ``null`` for an optional), with
their type, default and the dependency that reads them; :func:`add_parameters` merges
them into an operation.  Each adapter calls them once, when its schema is generated.
"""

from __future__ import annotations

import enum
import inspect
import re
import typing
from collections.abc import Collection, Iterable, MutableMapping
from typing import Any

from .._aliases import unwrap_alias
from ._request_values import FieldReader, strip_optional

__all__ = ["add_parameters", "openapi_parameters", "path_parameter_names"]

_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    inspect.Parameter.empty: "string",
    Any: "string",
}


def _type_schema(annotation: Any) -> dict[str, Any]:
    """The JSON schema of what a converter makes of a string (see ``converter_for``)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = [member.value for member in annotation]
        kinds = {_TYPES.get(type(value), "string") for value in values}
        return {"type": kinds.pop() if len(kinds) == 1 else "string", "enum": values}
    return {"type": _TYPES.get(annotation, "string")}


def _json_default(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _schema(reader: FieldReader) -> dict[str, Any]:
    # The same unwrapping as converter_for's: alias, optional, alias, Annotated.
    inner, optional = strip_optional(unwrap_alias(reader.annotation))
    inner = unwrap_alias(inner)
    if typing.get_origin(inner) is typing.Annotated:
        inner = unwrap_alias(typing.get_args(inner)[0])
    schema = _type_schema(inner)
    if optional:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if not reader.required and reader.default is not None:
        schema["default"] = _json_default(reader.default)
    schema["title"] = reader.name.replace("_", " ").title()
    return schema


_PATH_PARAMETER = re.compile(r"{([A-Za-z_]\w*)(?::[^}]*)?}")


def path_parameter_names(*paths: str) -> frozenset[str]:
    """The parameter names in route paths (``/items/{item_id}``, ``/{id:int}``)."""
    return frozenset(name for path in paths for name in _PATH_PARAMETER.findall(path))


def openapi_parameters(
    readers: Iterable[FieldReader], path_names: Collection[str] = ()
) -> list[dict[str, Any]]:
    """OpenAPI parameter objects for ``readers``: in the path where the route's path has
    the name (read from there first), in the query otherwise; one per name."""
    parameters: dict[str, dict[str, Any]] = {}
    for reader in readers:
        if reader.name in parameters:
            continue
        where = "path" if reader.name in path_names else "query"
        parameters[reader.name] = {
            "name": reader.name,
            "in": where,
            "required": reader.required or where == "path",
            "schema": _schema(reader),
            "description": f"Read from the {where} by {reader.owner} (an injectkit dependency).",
        }
    return list(parameters.values())


def add_parameters(
    operation: MutableMapping[str, Any], parameters: Iterable[dict[str, Any]]
) -> None:
    """Append ``parameters`` to an OpenAPI operation (a dict), skipping any it already
    lists under the same name and location (the framework's own reading of it)."""
    listed = operation.setdefault("parameters", [])
    present = {(p.get("name"), p.get("in")) for p in listed if isinstance(p, dict)}
    for parameter in parameters:
        if (parameter["name"], parameter["in"]) not in present:
            listed.append(parameter)
