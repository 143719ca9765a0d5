"""What FastAPI will refuse in an injected route's signature, said before FastAPI says it.

FastAPI reads every parameter it is shown as a request field, and refuses a type it
cannot read with "Invalid args for response field!" (a pydantic hint that names no
parameter).  Two day-one mistakes end there: ``fastapi.Depends(get_db)`` where
``injectkit.Depends(get_db)`` was meant (FastAPI then reads ``get_db``'s own
parameters, e.g. ``settings: Settings``), and a container's type left unmarked
(``db: Session`` instead of ``db: FromContainer[Session]``).  The adapter's ``inject``
asks FastAPI to read the signature it will show (once, at decoration); when FastAPI
refuses it, the parameter FastAPI refused is found one at a time and named, with what to
write instead.  A signature FastAPI accepts costs nothing more.

FastAPI is imported where it is used: only the FastAPI adapter calls this module, and the
adapter kernel's modules import no framework when they are imported.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from .._exceptions import InjectionError
from .._introspect import describe, type_name

__all__ = ["check_fastapi_reads"]


def check_fastapi_reads(name: str, parameters: Sequence[inspect.Parameter]) -> None:
    """Raise an InjectionError naming the parameter FastAPI would refuse, if any.

    ``name`` is the decorated function's name, ``parameters`` the signature FastAPI
    will see (annotations evaluated).
    """
    if _readable(parameters):
        return
    for parameter in parameters:
        if _readable([parameter]):
            continue
        dependency = _fastapi_dependency(parameter)
        if dependency is not None:
            raise _wrong_depends(name, parameter, dependency)
        raise _unmarked(name, parameter)
    # FastAPI refuses only the combination; let it say so itself.


def _readable(parameters: Sequence[inspect.Parameter]) -> bool:
    """Whether FastAPI accepts a function with exactly ``parameters``."""

    def probe() -> None: ...

    probe.__signature__ = inspect.Signature(list(parameters))  # type: ignore[attr-defined]
    return _accepts(probe)


def _accepts(call: Callable[..., Any]) -> bool:
    from fastapi.dependencies.utils import get_dependant
    from fastapi.exceptions import FastAPIError

    try:
        get_dependant(path="", call=call)
    except FastAPIError:
        return False
    return True


def _fastapi_dependency(parameter: inspect.Parameter) -> Callable[..., Any] | None:
    """``f`` of a ``fastapi.Depends(f)`` on ``parameter`` (annotation or default)."""
    from fastapi.params import Depends as FastAPIDepends

    markers: list[Any] = [parameter.default]
    if typing.get_origin(parameter.annotation) is Annotated:
        markers.extend(typing.get_args(parameter.annotation)[1:])
    for marker in markers:
        if isinstance(marker, FastAPIDepends) and marker.dependency is not None:
            return marker.dependency
    return None


def _bare_type(annotation: Any) -> str:
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return type_name(annotation)


def _wrong_depends(
    name: str, parameter: inspect.Parameter, dependency: Callable[..., Any]
) -> InjectionError:
    chain = [name, describe(dependency)]
    refused = _refused_parameter(dependency, chain)
    where = f"`{refused.name}: {_bare_type(refused.annotation)}`" if refused else "a parameter"
    owner = chain[-1]
    return InjectionError(
        f"FastAPI cannot fill {where} of {owner}: `{parameter.name}` is marked "
        f"fastapi.Depends({chain[1]}), which hands {chain[1]} to FastAPI, and FastAPI "
        "reads its parameters as request fields (FastAPI would say 'Invalid args for "
        "response field!').",
        path=chain,
        hint=f"if injectkit should call {chain[1]} (its parameters come from the "
        f"container), write injectkit.Depends({chain[1]}) (from injectkit import Depends), "
        "not fastapi.Depends.",
    )


def _refused_parameter(call: Callable[..., Any], chain: list[str]) -> inspect.Parameter | None:
    """The first parameter of ``call`` FastAPI refuses, following nested fastapi.Depends
    (each one appended to ``chain``)."""
    from fastapi.dependencies.utils import get_typed_signature

    try:
        parameters = list(get_typed_signature(call).parameters.values())
    except Exception:  # an unreadable signature: FastAPI's own error will say so
        return None
    for parameter in parameters:
        if _readable([parameter]):
            continue
        nested = _fastapi_dependency(parameter)
        if nested is not None:
            chain.append(describe(nested))
            return _refused_parameter(nested, chain) or parameter
        return parameter
    return None


def _unmarked(name: str, parameter: inspect.Parameter) -> InjectionError:
    shown = _bare_type(parameter.annotation)
    return InjectionError(
        f"FastAPI cannot read `{parameter.name}: {shown}` of {name}: a parameter not marked "
        f"for injectkit is FastAPI's (path, query, body...), and FastAPI cannot read "
        f"{shown} as any of those (FastAPI would say 'Invalid args for response field!').",
        path=[name],
        hint=f"if the container provides {shown}, write `{parameter.name}: "
        f"FromContainer[{shown}]`, or mark it Annotated[{shown}, injectkit.Depends(...)].",
    )
