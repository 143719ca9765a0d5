"""App-scoped values reached from async code are built once, with every argument their
provider takes (positional and keyword-only, from app and transient dependencies), an
``offload=True`` one in a worker thread, and what they opened is closed by
``container.aclose()`` (the async twin of tests/test_sync_app_values.py)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest
from _app_values import Service, Settings, app_values_container

from injectkit import Container, InjectionError

pytestmark = pytest.mark.anyio


class Pool:
    def __init__(self, service: Service, size: int) -> None:
        self.service = service
        self.size = size
        self.thread = threading.get_ident()


async def test_an_async_app_value_gets_its_arguments_and_reuses_app_values_built_before() -> None:
    """Settings built by a first call is the one the app Service and its transient Client
    get; the Client's keyword-only and positional arguments both arrive."""
    events: list[str] = []
    c = app_values_container(events)

    @c.inject
    async def settings_only(settings: Settings) -> Settings:
        return settings

    @c.inject
    async def handler(service: Service) -> Service:
        return service

    settings = await settings_only()
    service = await handler()
    assert service.settings is settings
    assert service.client.settings is settings
    assert service.client.retries == 5
    assert await handler() is service
    assert events == ["client opened"]
    await c.aclose()
    assert events == ["client opened", "client closed"]


async def test_an_offloaded_app_provider_runs_in_a_worker_thread_with_its_arguments() -> None:
    """An app-scoped ``offload=True`` provider reached from async code runs once, in a
    worker thread, and receives the app values it needs (positional and keyword-only)."""
    events: list[str] = []
    c = app_values_container(events)

    def pool(service: Service, *, settings: Settings, size: int = 3) -> Pool:
        assert settings is service.settings
        return Pool(service, size)

    c.register(Pool, pool, scope="app", offload=True)

    @c.inject
    async def handler(pool: Pool, service: Service) -> tuple[Pool, Service]:
        return pool, service

    pool_value, service = await handler()
    assert pool_value.service is service
    assert pool_value.size == 3
    assert pool_value.thread != threading.get_ident()
    assert (await handler())[0] is pool_value
    await c.aclose()


async def test_an_async_generator_app_provider_gets_keyword_only_arguments_and_closes() -> None:
    """An app-scoped async generator with a keyword-only parameter gets its value, is
    built once, and its code after ``yield`` runs at ``container.aclose()``."""
    events: list[str] = []
    c = app_values_container(events)

    @c.provider(scope="app")
    async def pool(*, service: Service) -> AsyncIterator[Pool]:
        events.append("pool opened")
        yield Pool(service, 1)
        events.append("pool closed")

    @c.inject
    async def handler(pool: Pool) -> Pool:
        return pool

    first = await handler()
    assert isinstance(first.service, Service)
    assert await handler() is first
    assert events == ["client opened", "pool opened"]
    await c.aclose()
    assert events == ["client opened", "pool opened", "pool closed", "client closed"]


async def test_an_async_app_generator_that_yields_nothing_is_named() -> None:
    """An app-scoped async generator provider that returns before its yield: an error
    naming it and the chain, as in sync code."""
    c = Container()

    @c.provider(scope="app")
    async def settings() -> AsyncIterator[Settings]:
        return
        yield Settings()

    @c.inject
    async def handler(value: Settings) -> Settings:
        return value

    with pytest.raises(InjectionError) as raised:
        await handler()
    assert raised.value.message == "Generator provider settings finished without yielding a value."
    assert raised.value.path == ("handler", "settings")


async def test_a_sync_provider_registered_without_offload_runs_in_the_callers_thread() -> None:
    """register() does not offload by default: a sync provider under an async handler
    runs inline, in the handler's thread (offload=True is the opt-in)."""
    c = Container()
    c.register(Pool, lambda: Pool(Service.__new__(Service), 1))

    @c.inject
    async def handler(pool: Pool) -> int:
        return pool.thread

    assert await handler() == threading.get_ident()


async def test_an_async_app_provider_gets_its_positional_and_keyword_only_dependencies() -> None:
    """An app-scoped ``async def`` provider receives both a positional and a keyword-only
    dependency."""
    c = app_values_container([])

    @c.provider(scope="app")
    async def pool(service: Service, *, settings: Settings) -> Pool:
        assert settings is service.settings
        return Pool(service, 4)

    @c.inject
    async def handler(pool: Pool, service: Service) -> tuple[Pool, Service]:
        return pool, service

    pool_value, service = await handler()
    assert pool_value.service is service
    assert pool_value.size == 4
    await c.aclose()
