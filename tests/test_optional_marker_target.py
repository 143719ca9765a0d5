"""``x: T | None = Depends()`` (or ``Optional[T]``) calls ``T``: the ``None`` half of an
optional annotation is not the dependency; any other union is left as it is."""

from __future__ import annotations

from typing import Annotated, Any, Optional, Union

import pytest

from injectkit import Container, Depends
from injectkit._introspect import MISSING
from injectkit._provided_types import is_optional_of


class Clock:
    pass


class Calendar:
    pass


def test_depends_without_a_dependency_calls_the_type_an_optional_annotation_wraps() -> None:
    """``Annotated[Clock | None, Depends()]`` and ``Optional[Clock] = Depends()`` call Clock."""
    c = Container()

    @c.inject
    def handler(
        a: Annotated[Clock | None, Depends()],
        b: Optional[Clock] = Depends(),  # noqa: UP045 - the spelling under test
    ) -> tuple[Any, Any]:
        return a, b

    a, b = handler()
    assert type(a) is Clock and type(b) is Clock


@pytest.mark.parametrize(
    ("annotation", "inner"),
    [
        (Clock | None, Clock),
        (None | Clock, Clock),
        (Optional[Clock], Clock),  # noqa: UP045 - the spelling under test
        (Union[None, Clock], Clock),  # noqa: UP007 - the spelling under test
        (Clock | Calendar | None, MISSING),
        (Clock | Calendar, MISSING),
        (Union[Clock, Calendar], MISSING),  # noqa: UP007 - the spelling under test
        (Clock, MISSING),
        (list[Clock], MISSING),
        (None, MISSING),
    ],
)
def test_only_a_union_of_one_type_and_none_is_optional(annotation: Any, inner: Any) -> None:
    """is_optional_of gives T for ``T | None`` in any spelling and MISSING for the rest."""
    assert is_optional_of(annotation) is inner
