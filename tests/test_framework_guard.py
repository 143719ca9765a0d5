"""What ``inspect.signature`` shows of a ``container.inject`` function: its own names,
kinds and defaults, each annotation marked so a framework reading it (FastAPI, through
pydantic) stops with an InjectionError."""

from __future__ import annotations

import copy
import inspect
import typing
from typing import Annotated, Any, ForwardRef

import pydantic
import pytest

from injectkit import Container, InjectionError


class Session:
    pass


def test_the_signature_keeps_names_kinds_defaults_and_wraps_each_annotation() -> None:
    """Names, kinds and defaults are the function's; each annotation is Annotated over the
    function's own (a missing one over Any); get_type_hints still sees the plain types."""
    c = Container()
    c.register(Session)

    def handler(  # type: ignore[no-untyped-def]
        a, /, session: Session, n: int = 3, *rest: str, flag: bool = False, **kw: Any
    ) -> str:
        return "done"

    injected = c.inject(handler)
    own = inspect.signature(handler)
    shown = inspect.signature(injected)
    assert [(p.name, p.kind, p.default) for p in shown.parameters.values()] == [
        (p.name, p.kind, p.default) for p in own.parameters.values()
    ]
    assert shown.return_annotation == own.return_annotation
    for parameter in shown.parameters.values():
        assert typing.get_origin(parameter.annotation) is Annotated
        inner, marker = typing.get_args(parameter.annotation)
        assert repr(marker) == "filled by container.inject"
        original = own.parameters[parameter.name].annotation  # a string: this module's
        assert inner == (Any if original is inspect.Parameter.empty else ForwardRef(original))
    assert typing.get_type_hints(injected)["session"] is Session
    assert copy.copy(shown) == shown
    assert str(shown).startswith("(a: Annotated[Any, filled by container.inject], /,")
    assert injected(1) == "done"


def test_an_annotation_annotated_cannot_wrap_still_decorates_and_calls() -> None:
    """An annotation that is no type (a list, a string that is no expression) is shown
    marked over Any: decorating does not fail on it (injectkit's reading of the graph
    reports it, as before)."""

    def odd_annotations(items: Any, broken: Any) -> Any:
        return items, broken

    odd_annotations.__annotations__.update(items=[int], broken="list[")
    c = Container()
    injected = c.inject(odd_annotations)
    shown = inspect.signature(injected)
    for name in ("items", "broken"):
        assert typing.get_args(shown.parameters[name].annotation)[0] is Any
    with pytest.raises(InjectionError, match="Cannot evaluate the annotation 'list\\['"):
        injected(items=[1], broken=2)


def test_pydantic_reading_a_parameter_is_told_the_function_and_the_adapters_inject() -> None:
    """A parameter of the shown signature read as a request field (FastAPI asks pydantic
    at @app.get): an InjectionError naming the parameter, the function and the fix."""
    c = Container()
    c.register(Session)

    def handler(session: Session, count: int = 1) -> str:
        return "done"

    shown = inspect.signature(c.inject(handler))
    with pytest.raises(InjectionError) as raised:
        pydantic.TypeAdapter(shown.parameters["count"].annotation)
    assert raised.value.message == (
        "FastAPI (through pydantic) is reading parameter `count` of handler as a request "
        "field: handler is decorated with container.inject, the core decorator, so FastAPI "
        "would fill its parameters from the request and injectkit's registrations would "
        "not be used (FastAPI alone would say 'Invalid args for response field!')."
    )
    assert raised.value.path == ("handler",)
    assert raised.value.hint == (
        "decorate it with the FastAPI adapter's inject instead (from "
        "injectkit.integrations.fastapi import inject; @app.get(...) then @inject); keep "
        "container.inject for the functions the route calls."
    )


def test_the_return_annotation_read_first_is_the_functions_own() -> None:
    """FastAPI reads a route's return annotation (its response model) before its
    parameters: read first, it is the function's own, and the parameters follow."""
    c = Container()

    def handler(count: int) -> str:
        return "done"

    shown = inspect.signature(c.inject(handler))
    assert shown.return_annotation == "str"  # this module's annotations are strings
    assert list(shown.parameters) == ["count"]


def test_a_missing_attribute_of_the_signature_is_an_attribute_error_naming_it() -> None:
    """Asking the shown signature for an attribute it lacks (``hasattr``, ``deepcopy``'s
    probe for ``__deepcopy__``) is an AttributeError naming it, as on any Signature."""
    c = Container()

    def handler(count: int) -> str:
        return "done"

    shown = inspect.signature(c.inject(handler))
    with pytest.raises(AttributeError) as raised:
        shown.no_such_attribute  # type: ignore[attr-defined]
    assert raised.value.args == ("no_such_attribute",)
    assert not hasattr(shown, "__deepcopy__")
    assert str(copy.deepcopy(shown)) == str(shown)


class _FailingSignature(inspect.Signature):
    """A user's own lazy signature whose reading fails with an AttributeError."""

    @property
    def parameters(self) -> Any:
        raise AttributeError("'Settings' object has no attribute 'fields'")


def test_a_functions_own_signature_failing_with_attribute_error_is_a_type_error() -> None:
    """The function's own ``__signature__`` failing with an AttributeError: reading the
    injected function's signature says it cannot, quoting that error (not an
    AttributeError about ``parameters``, which Python would take for a missing one)."""

    def handler(count: int) -> str:
        return "done"

    handler.__signature__ = _FailingSignature()  # type: ignore[attr-defined]
    shown = inspect.signature(Container().inject(handler))
    with pytest.raises(TypeError) as raised:
        shown.parameters
    assert str(raised.value) == (
        "cannot read the signature: 'Settings' object has no attribute 'fields'"
    )
    assert isinstance(raised.value.__cause__, AttributeError)
