"""How the graph builder keeps problems and values apart: each handler's own problems are
listed (not merged with another handler's alike-named ones), a cycle does not hide the
problems after it, and override values are told apart and shown as values."""

from __future__ import annotations

from typing import Annotated, Protocol

import pytest

from injectkit import Container, Depends, InjectionError


class Mailer:
    pass


class Settings:
    pass


class FakeSettings(Settings):
    pass


def test_validate_lists_the_same_mistake_in_two_handlers_twice() -> None:
    """Two handlers with the same bad annotation on a parameter of the same name: two
    problems, one per handler."""
    c = Container()

    @c.inject
    def first(names: [str]) -> None:  # type: ignore[valid-type]
        pass

    @c.inject
    def second(names: [str]) -> None:  # type: ignore[valid-type]
        pass

    with pytest.raises(InjectionError) as raised:
        c.validate(first, second)
    assert [error.path for error in raised.value.errors] == [("first",), ("second",)]


def test_a_cycle_does_not_hide_the_problems_after_it() -> None:
    """A handler whose first dependency is a cycle and whose second needs an unregistered
    class: validate() lists both."""
    c = Container()

    def ping(value: str) -> str:  # given Depends(pong) below: a cycle
        return value

    def pong(value: Annotated[str, Depends(ping)]) -> str:
        return value

    def ring(value: Annotated[str, Depends(pong)]) -> str:
        return value

    def needs_mailer(mailer: Mailer) -> str:
        return "sent"

    @c.inject
    def handler(
        loop: Annotated[str, Depends(ring)], sent: Annotated[str, Depends(needs_mailer)]
    ) -> None:
        pass

    ping.__annotations__["value"] = Annotated[str, Depends(pong)]  # pong -> ping -> pong
    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    messages = [error.message for error in raised.value.errors]
    assert len(messages) == 2
    assert messages[0].startswith("Circular dependency: pong -> ping -> pong.")
    assert "Mailer" in messages[1]


def test_two_functions_overridden_with_plain_values_keep_their_own_values() -> None:
    """override(get_db, "db") and override(get_cache, "cache"): each parameter gets its
    own value."""
    c = Container()

    def get_db() -> str:
        return "real db"

    def get_cache() -> str:
        return "real cache"

    @c.inject
    def handler(
        db: Annotated[str, Depends(get_db)], cache: Annotated[str, Depends(get_cache)]
    ) -> tuple[str, str]:
        return db, cache

    with c.override(get_db, "db"), c.override(get_cache, "cache"):
        assert handler() == ("db", "cache")


def test_an_override_value_of_a_function_is_shown_as_a_value() -> None:
    """A plain value replacing a function is labelled ``value (override value)`` in the
    graph; one replacing a registered type carries the type's name."""
    c = Container()
    c.register(Settings)

    def get_db() -> str:
        return "real db"

    @c.inject
    def handler(db: Annotated[str, Depends(get_db)], settings: Settings) -> None:
        pass

    with c.override(get_db, "db"), c.override(Settings, FakeSettings()):
        labels = [node.label for node in c.graph(handler).nodes]
    assert "value (override value)" in labels
    assert "Settings (override value)" in labels


def test_a_class_replacing_a_registered_type_is_called_not_injected() -> None:
    """override(Settings, FakeSettings): the class is a provider, its instance injected."""
    c = Container()
    c.register(Settings)

    @c.inject
    def handler(settings: Settings) -> Settings:
        return settings

    with c.override(Settings, FakeSettings):
        assert type(handler()) is FakeSettings


class Repository(Protocol):  # not runtime_checkable: isinstance() against it raises
    def get(self) -> str: ...


class FakeRepository:
    def get(self) -> str:
        return "fake"


def test_a_callable_replacing_a_protocol_is_called() -> None:
    """override(Repository, lambda: FakeRepository()) with a Protocol key, which refuses
    isinstance(): the replacement is called for its value, not injected itself."""
    c = Container()
    c.register(Repository, FakeRepository)

    @c.inject
    def handler(repository: Repository) -> str:
        return repository.get()

    with c.override(Repository, lambda: FakeRepository()):
        assert handler() == "fake"
