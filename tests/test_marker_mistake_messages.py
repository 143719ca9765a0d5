"""A ``Depends`` that cannot work is refused before anything runs, with the parameter, the
chain to it and the fix: no annotation to call, or a dependency that is not callable."""

from __future__ import annotations

from typing import Annotated

import pytest

from injectkit import Container, Depends, InjectionError


def nothing_to_call(x=Depends()) -> None:  # no annotation: the mistake under test
    return None


def not_callable(x: Annotated[int, Depends(5)]) -> None:  # type: ignore[arg-type]
    return None


def handler(value: Annotated[None, Depends(nothing_to_call)]) -> None:
    return None


def test_depends_with_no_dependency_and_no_annotation_is_refused() -> None:
    """``x=Depends()`` unannotated: the parameter, its chain from the handler and the fix."""
    c = Container()
    with pytest.raises(InjectionError) as raised:
        c.inject(handler)()
    assert str(raised.value) == (
        "Parameter 'x' of nothing_to_call is marked Depends()\nbut has no annotation to call."
        "\n  chain: handler -> nothing_to_call"
        "\n  hint: write Annotated[SomeType, Depends()] or Depends(some_callable)."
    )
    assert raised.value.path == ("handler", "nothing_to_call")


def test_depends_on_something_not_callable_is_refused() -> None:
    """``Depends(5)``: the marker, the value that cannot be called and what to pass instead."""
    c = Container()
    with pytest.raises(InjectionError) as raised:
        c.inject(not_callable)()
    assert str(raised.value) == (
        "Parameter 'x' of not_callable is marked Depends(5),\nbut 5 is not callable."
        "\n  chain: not_callable"
        "\n  hint: pass a function or a class to Depends (to inject a fixed value, use"
        "\n        `Depends(lambda: value)` or an override)."
    )
    assert raised.value.path == ("not_callable",)
    assert raised.value.requested == "5"


def test_depends_with_a_scope_it_does_not_take_says_which_it_takes() -> None:
    """``Depends(f, scope="transient")``: refused as Depends() is made, listing the three."""
    with pytest.raises(InjectionError) as raised:
        Depends(int, scope="transient")
    assert str(raised.value) == (
        "Depends(): scope='transient' is not accepted here."
        "\n  hint: use one of 'function', 'request', 'app'."
    )


def test_a_refused_depends_in_a_string_annotation_names_the_parameter_and_keeps_its_hint() -> None:
    """A ``Depends(scope=...)`` refused while a string annotation is evaluated: its own
    message and hint, placed at the parameter, not "cannot evaluate" with an import hint."""
    c = Container()

    def uses(x: Annotated[int, Depends(int, scope="bogus")]) -> None:  # evaluated on use
        return None

    with pytest.raises(InjectionError) as raised:
        c.validate(c.inject(uses))
    assert str(raised.value) == (
        "In the annotation of parameter 'x' of uses: Depends():\n"
        "scope='bogus' is not accepted here."
        "\n  chain: uses"
        "\n  hint: use one of 'function', 'request', 'app'."
    )
