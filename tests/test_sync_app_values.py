"""App-scoped values reached from sync code are built once, with every argument their
provider takes (positional and keyword-only, from app and transient dependencies), reuse
app values built before, and what they opened is closed by ``container.close()``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _app_values import Service, Settings, app_values_container

from injectkit import Container, InjectionError


def test_a_sync_app_value_gets_its_arguments_and_reuses_app_values_built_before() -> None:
    """Settings built by a first call is the one the app Service and its transient Client get."""
    events: list[str] = []
    c = app_values_container(events)

    @c.inject
    def settings_only(settings: Settings) -> Settings:
        return settings

    @c.inject
    def handler(service: Service) -> Service:
        return service

    settings = settings_only()
    service = handler()
    assert service.settings is settings
    assert service.client.settings is settings
    assert service.client.retries == 5
    assert handler() is service
    assert events == ["client opened"]
    c.close()
    assert events == ["client opened", "client closed"]


def test_a_sync_app_value_built_first_builds_what_it_needs_once() -> None:
    """The first call builds Settings, the Client and the Service; Settings is shared."""
    events: list[str] = []
    c = app_values_container(events)

    @c.inject
    def handler(service: Service, settings: Settings) -> tuple[Service, Settings]:
        return service, settings

    service, settings = handler()
    assert service.settings is settings and service.client.settings is settings
    assert handler() == (service, settings)
    c.close()
    assert events == ["client opened", "client closed"]


def test_a_sync_app_generator_that_yields_nothing_is_named() -> None:
    """An app-scoped generator provider that returns before its yield: an error naming it."""
    c = Container()

    @c.provider(scope="app")
    def settings() -> Iterator[Settings]:
        return
        yield Settings()

    @c.inject
    def handler(value: Settings) -> Settings:
        return value

    with pytest.raises(InjectionError) as raised:
        handler()
    assert str(raised.value) == (
        "Generator provider settings finished without yielding\na value."
        "\n  chain: handler -> settings"
        "\n  hint: a generator provider must yield exactly once."
    )
