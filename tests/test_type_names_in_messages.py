"""Errors name a type as the user wrote it: a class by its own name wherever it is
defined, an annotation that is not a type (``[int, str]``) as written."""

from __future__ import annotations

from typing import Annotated

import pytest

from injectkit import Container, Depends, InjectionError


def _nested_class() -> type:
    def inner() -> type:
        class Mailer:
            pass

        return Mailer

    return inner()


Mailer = _nested_class()  # qualname: _nested_class.<locals>.inner.<locals>.Mailer


def report(mailer: Mailer) -> int:  # type: ignore[valid-type]
    return 1


def needs_report(count: Annotated[int, Depends(report)]) -> None:
    return None


def test_a_class_defined_two_functions_deep_is_named_by_its_own_name() -> None:
    """``Mailer`` made inside a function inside a function: "Mailer", no ``<locals>``."""
    with pytest.raises(InjectionError) as raised:
        Container().validate(needs_report)
    assert str(raised.value).startswith(
        "`Mailer` is not registered in the\ncontainer, so nothing provides `mailer` to report."
    )
    assert "register a provider for Mailer (container.register(Mailer, ...)" in str(raised.value)
    assert raised.value.requested == "mailer: Mailer"


def listed(x: [int, str]) -> None:  # type: ignore[valid-type]  # the mistake under test
    return None


def test_a_list_of_two_types_as_annotation_is_shown_as_written() -> None:
    """``x: [int, str]``: the error and ``requested`` show ``[int, str]``."""
    with pytest.raises(InjectionError) as raised:
        Container().validate(listed)
    assert str(raised.value).startswith(
        "Parameter 'x' of listed is annotated with [int, str],\nwhich is not a type"
    )
    assert raised.value.requested == "[int, str]"
