"""What ``inspect.signature`` shows of a ``container.inject`` function: its own names,
kinds and defaults, each annotation marked so a framework reading it (FastAPI, through
pydantic) stops with an InjectionError."""

from __future__ import annotations

import copy
import inspect
import typing
from typing import Annotated, Any, ForwardRef

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
