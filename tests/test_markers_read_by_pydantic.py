"""A marked parameter (``Depends``, ``BackgroundTasks``, ``NotFromRequest``) that a framework
reads through pydantic, as FastAPI reads a route the adapter did not wrap: an
InjectionError that says what happened and what to use, and how the markers read."""

import inspect
from typing import Annotated

import pydantic
import pytest

from injectkit import BackgroundTasks, Depends, InjectionError, NotFromRequest

WHAT_HAPPENED = (
    "as a request field (pydantic was asked to validate it): the function went to the "
    "framework decorated with container.inject, or not decorated, where the framework's "
    "adapter was needed (FastAPI would say 'Invalid args for response field!')."
)
WHAT_TO_USE = (
    "on a FastAPI route or dependency use the adapter's inject (from "
    "injectkit.integrations.fastapi import inject), under the route decorator; keep "
    "container.inject for the functions the route calls."
)


def get_user() -> str:
    return "ann"


def test_pydantic_reading_a_depends_parameter_is_told_to_use_the_adapter() -> None:
    """``Annotated[str, Depends(get_user)]`` as a pydantic field: the marker named, the fix."""
    with pytest.raises(InjectionError) as raised:
        pydantic.TypeAdapter(Annotated[str, Depends(get_user)])
    assert raised.value.message == (
        f"A framework is reading a parameter marked Depends(get_user) {WHAT_HAPPENED}"
    )
    assert raised.value.hint == WHAT_TO_USE


def test_pydantic_reading_background_tasks_is_told_to_use_the_adapter() -> None:
    """``BackgroundTasks`` as a pydantic field: the same error, naming the type."""
    with pytest.raises(InjectionError) as raised:
        pydantic.TypeAdapter(BackgroundTasks)
    assert raised.value.message == (
        f"A framework is reading a parameter of type injectkit.BackgroundTasks {WHAT_HAPPENED}"
    )
    assert raised.value.hint == WHAT_TO_USE


def test_not_from_request_shows_by_name_in_a_signature() -> None:
    """``pool: NotFromRequest[int] = 5`` reads ``typing.Annotated[int, NotFromRequest]``."""

    def connect(pool: NotFromRequest[int] = 5) -> None:
        return None

    assert str(inspect.signature(connect)) == (
        "(pool: typing.Annotated[int, NotFromRequest] = 5) -> None"
    )
