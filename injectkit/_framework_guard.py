"""The signature a ``container.inject`` function shows to whoever reads it.

A function decorated with the core ``container.inject`` fills its parameters itself.  A
web framework that reads its signature to fill them from the request (FastAPI does, at
``@app.get``) takes that job, and fails on a parameter it cannot read with an error that
names neither injectkit nor the fix ("Invalid args for response field!").  So the
wrapper's ``__signature__`` is the function's own with every parameter's annotation
wrapped in ``Annotated[..., marker]``: names, kinds and defaults stay as they are (tools
that read those, like pytest's fixture lookup, see no change), and the marker's
``__get_pydantic_core_schema__`` turns pydantic's question, which FastAPI asks for each
request field, into an :class:`InjectionError` that names the function and the fix.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from ._exceptions import InjectionError
from ._introspect import describe

__all__ = ["ADAPTER_INJECT_HINT", "guarded_signature"]

ADAPTER_INJECT_HINT = (
    "decorate it with the FastAPI adapter's inject instead (from "
    "injectkit.integrations.fastapi import inject; @app.get(...) then @inject); keep "
    "container.inject for the functions the route calls."
)


class FilledByContainerInject:
    """The marker on each parameter of a ``container.inject`` function's signature."""

    __slots__ = ("function", "parameter")

    def __init__(self, function: str, parameter: str) -> None:
        self.function = function
        self.parameter = parameter

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """pydantic asks this when a framework (FastAPI) reads the parameter as a request
        field: the function went to the framework decorated with ``container.inject``."""
        raise InjectionError(
            f"FastAPI (through pydantic) is reading parameter `{self.parameter}` of "
            f"{self.function} as a request field: {self.function} is decorated with "
            "container.inject, the core decorator, so FastAPI would fill its parameters "
            "from the request and injectkit's registrations would not be used (FastAPI "
            "alone would say 'Invalid args for response field!').",
            path=[self.function],
            hint=ADAPTER_INJECT_HINT,
        )

    def __repr__(self) -> str:
        return "filled by container.inject"


class _MarkedSignature(inspect.Signature):
    """The marked signature, read on first use: decorating stays cheap (``inspect`` costs
    tens of microseconds a function, and most injected functions are never read)."""

    __slots__ = ("_source",)

    def __init__(self, original: Callable[..., Any]) -> None:
        self._source = original

    def __getattr__(self, attribute: str) -> Any:
        # Called for Signature's own slots until they are set, i.e. on first use.
        if attribute not in ("_parameters", "_return_annotation"):
            raise AttributeError(attribute)
        try:
            marked = _marked(self._source)
        except AttributeError as error:  # not taken for a missing attribute of ours
            raise TypeError(f"cannot read the signature: {error}") from error
        inspect.Signature.__init__(
            self,
            list(marked.parameters.values()),
            return_annotation=marked.return_annotation,
            __validate_parameters__=False,
        )
        return getattr(self, attribute)

    def __reduce__(self) -> Any:  # a copy or a pickle is a plain Signature
        parameters = tuple(self.parameters.values())
        return (inspect.Signature, (parameters,), {"_return_annotation": self.return_annotation})


def guarded_signature(original: Callable[..., Any]) -> inspect.Signature:
    """What ``inspect.signature`` of ``original``'s wrapper gives: ``original``'s own
    signature with each annotation marked (see the module), read on first use."""
    return _MarkedSignature(original)


def _marked(original: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(original)
    name = describe(original)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        annotation = parameter.annotation
        inner = Any if annotation is inspect.Parameter.empty else annotation
        marker = FilledByContainerInject(name, parameter.name)
        marked: Any
        try:
            marked = Annotated[inner, marker]
        except Exception:  # a string that is no expression, an odd object
            marked = Annotated[Any, marker]
        parameters.append(parameter.replace(annotation=marked))
    return signature.replace(parameters=parameters)
