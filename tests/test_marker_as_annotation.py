"""``db: Depends(get_db)`` (FastAPI's ``db = Depends(get_db)`` typed with a colon) is an
InjectionError naming the parameter and both right spellings, raised by validate() and
before any provider runs; it used to pass validate() and fail at call time, asking the
caller for ``db``."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from injectkit import Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


def get_db() -> str:
    return "db"


def test_validate_refuses_a_marker_written_as_the_annotation() -> None:
    """validate() raises, naming the parameter, the marker and the two spellings that work."""
    c = Container()

    @c.inject
    def handler(db: Depends(get_db)) -> str:  # type: ignore[valid-type]
        return str(db)

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    error = raised.value
    assert error.message == (
        "Parameter 'db' of handler is annotated with Depends(get_db), a marker, not a type."
    )
    assert error.path == ("handler",)
    assert error.hint == (
        "write `db: Annotated[T, Depends(get_db)]`, T being what get_db gives (or make the "
        "marker the default: `db: T = Depends(get_db)`)."
    )


async def test_a_provider_with_a_marker_as_its_annotation_fails_before_any_provider_runs() -> None:
    """The mistake in a provider's parameter is raised on the first call, with the chain,
    and no provider has run."""
    c = Container()
    ran: list[str] = []

    def settings() -> str:
        ran.append("settings")
        return "settings"

    def get_user(db: Depends(get_db)) -> str:  # type: ignore[valid-type]
        ran.append("get_user")
        return "user"

    @c.inject
    async def handler(
        config: Annotated[str, Depends(settings)], user: Annotated[str, Depends(get_user)]
    ) -> str:
        return user

    with pytest.raises(InjectionError) as raised:
        await handler()
    assert raised.value.message == (
        "Parameter 'db' of get_user is annotated with Depends(get_db), a marker, not a type."
    )
    assert raised.value.path == ("handler", "get_user")
    assert ran == []


def test_an_empty_marker_as_the_annotation_names_the_class_to_provide() -> None:
    """``s: Depends()`` says T is the class to provide."""
    c = Container()

    @c.inject
    def handler(s: Depends()) -> Any:  # type: ignore[valid-type]
        return s

    with pytest.raises(InjectionError) as raised:
        handler()
    assert raised.value.hint == (
        "write `s: Annotated[T, Depends()]`, T being the class to provide (or make the "
        "marker the default: `s: T = Depends()`)."
    )


def test_the_two_spellings_the_hint_names_work() -> None:
    """``Annotated[str, Depends(get_db)]`` and ``str = Depends(get_db)`` both inject get_db."""
    c = Container()

    @c.inject
    def annotated(db: Annotated[str, Depends(get_db)]) -> str:
        return db

    @c.inject
    def default(db: str = Depends(get_db)) -> str:  # type: ignore[assignment]
        return db

    assert annotated() == default() == "db"
