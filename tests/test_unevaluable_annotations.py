"""An annotation that cannot be evaluated is refused before anything runs, naming the one
annotation at fault (not an earlier one that evaluates), where it is, and the fix."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Annotated

import pytest

from injectkit import Container, Depends, InjectionError

HINT = (
    "\n  hint: import the name at module level (not only under TYPE_CHECKING), fix its"
    "\n        spelling, or define it before the function that uses it is decorated."
)


def priced(price: Decimal, tax: Rate) -> int:  # noqa: F821 - Rate is the name not defined
    return 1


def needs_priced(value: Annotated[int, Depends(priced)]) -> None:
    return None


def rated() -> Rate:  # noqa: F821 - Rate is the name not defined
    return 1


def needs_rated(value: Annotated[int, Depends(rated)]) -> None:
    return None


def _refused(handler: object) -> InjectionError:
    with pytest.raises(InjectionError) as raised:
        Container().validate(handler)  # type: ignore[arg-type]
    return raised.value


def test_the_annotation_named_is_the_one_that_fails_after_module_level_names() -> None:
    """``price: Decimal`` (imported) then ``tax: Rate`` (not): the error names ``tax``."""
    error = _refused(needs_priced)
    assert str(error) == (
        "Cannot evaluate the annotation 'Rate' of parameter\n'tax' of priced: "
        "name 'Rate' is not defined.\n  chain: needs_priced -> priced" + HINT
    )
    assert error.path == ("needs_priced", "priced")
    assert error.requested == "Rate"
    assert isinstance(error.__cause__, NameError)


def test_the_annotation_named_is_the_one_that_fails_after_local_names() -> None:
    """A class local to the function around ``@inject`` evaluates; the next name is named."""

    class Local:
        pass

    def provider(first: Local, second: Absent) -> int:  # noqa: F821 - Absent is not defined
        return 1

    container = Container()

    @container.inject
    def handler(value: Annotated[int, Depends(provider)]) -> None:
        return None

    with pytest.raises(InjectionError) as raised:
        handler()
    assert str(raised.value) == (
        "Cannot evaluate the annotation 'Absent' of parameter\n'second' of provider: "
        "name 'Absent' is not defined.\n  chain: handler -> provider" + HINT
    )


def test_a_return_annotation_that_fails_is_named_as_the_return_annotation() -> None:
    """``-> Rate`` with Rate not defined: "of the return annotation of rated"."""
    error = _refused(needs_rated)
    assert str(error) == (
        "Cannot evaluate the annotation 'Rate' of the return\nannotation of rated: "
        "name 'Rate' is not defined.\n  chain: needs_rated -> rated" + HINT
    )
    assert error.requested == "Rate"


def listed(items: int) -> int:
    return items


# An annotation object (not a string) whose forward reference fails.
listed.__annotations__["items"] = list["Absent"]  # noqa: F821 - Absent is not defined


def needs_listed(value: Annotated[int, Depends(listed)]) -> None:
    return None


def test_an_annotation_object_that_fails_is_requested_by_its_name() -> None:
    """A (non-string) ``list['Absent']`` annotation: ``requested`` is its text, as written."""
    error = _refused(needs_listed)
    assert error.requested == "list['Absent']"
    assert str(error).startswith(
        "Cannot evaluate the annotation list['Absent'] of\nparameter 'items' of listed: "
        "name 'Absent' is not defined.\n"
    )


class PartialCall:
    """A callable whose ``__call__`` is a partial: no annotations that can be read."""

    __call__ = functools.partial(lambda x=1: x)


def needs_partial_call(value: Annotated[int, Depends(PartialCall())]) -> None:
    return None


def test_annotations_that_cannot_be_read_at_all_name_the_provider_and_keep_the_cause() -> None:
    """No single annotation at fault: the provider's annotations as a whole, the cause kept."""
    error = _refused(needs_partial_call)
    assert str(error).startswith(
        "Cannot evaluate the annotations of PartialCall():\nTypeError: functools.partial("
    )
    assert str(error).endswith(
        "\n  chain: needs_partial_call -> PartialCall()"
        "\n  hint: check the annotations for names that are not importable at run time."
    )
    assert error.path == ("needs_partial_call", "PartialCall()")
    assert isinstance(error.__cause__, TypeError)


def needs_max(value: Annotated[int, Depends(max)]) -> None:
    return None


def test_a_builtin_without_a_signature_is_refused_with_the_fix() -> None:
    """``Depends(max)``: inspect cannot read it; the error names it and says to wrap it."""
    error = _refused(needs_max)
    assert str(error).startswith("Cannot read the signature of max: ValueError: no\n")
    assert str(error).endswith(
        "\n  chain: needs_max -> max"
        "\n  hint: wrap it in a small function with annotated parameters."
    )
    assert error.path == ("needs_max", "max")
    assert isinstance(error.__cause__, ValueError)


def no_expression(items: int) -> int:
    return items


no_expression.__annotations__["items"] = "list["


def needs_no_expression(value: Annotated[int, Depends(no_expression)]) -> None:
    return None


def test_an_annotation_that_is_no_expression_is_told_to_be_written_as_a_type() -> None:
    """``"list["``: the SyntaxError quoted, and the hint to write a valid type expression."""
    error = _refused(needs_no_expression)
    assert str(error).startswith(
        "Cannot evaluate the annotation 'list[' of parameter\n'items' of no_expression: "
        "SyntaxError: "
    )
    assert error.hint == "write the annotation as a valid type expression."


def refuse(reason: str) -> type:
    """Called from an annotation: what evaluating it raises."""
    raise LookupError(reason)


def needs_refused(value: refuse("no such setting")) -> None:  # type: ignore[valid-type]
    return None


def test_an_annotation_that_raises_is_told_to_write_the_type_itself() -> None:
    """An annotation whose code raises: its exception quoted, and the hint to write the
    type itself, markers in ``Annotated``, and to check the calls inside."""
    error = _refused(needs_refused)
    assert error.message == (
        "Cannot evaluate the annotation \"refuse('no such setting')\" of parameter 'value' "
        "of needs_refused: LookupError: no such setting."
    )
    assert error.hint == (
        "evaluating the annotation ran code that raised: write the type itself (markers "
        "go in Annotated[T, ...]), and check the calls inside the annotation."
    )
    assert isinstance(error.__cause__, LookupError)


class Settings:
    """A module-level class without the ``Inner`` a local class of that name has."""


def test_a_local_class_shadowing_a_module_class_that_fails_is_used() -> None:
    """``Settings.Inner`` with a module-level Settings lacking Inner and a local Settings
    having it: the local one is used (as for a name the module lacks), not an error."""

    class Settings:
        class Inner:
            pass

    container = Container()
    container.register(Settings.Inner)

    @container.inject
    def handler(value: Settings.Inner) -> Settings.Inner:
        return value

    assert type(handler()) is Settings.Inner
