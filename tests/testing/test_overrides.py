"""``injectkit.testing.override``: several targets at once, rebuilt singletons, no leaks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated

import anyio
import pytest

from injectkit import Container, Depends
from injectkit.testing import fake, override

pytestmark = pytest.mark.anyio


class Settings:
    def __init__(self, name: str = "real") -> None:
        self.name = name


class Client:
    """App-scoped, built from Settings: what an override of Settings must rebuild."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def make_container(closed: list[str] | None = None) -> tuple[Container, list[Client]]:
    container = Container()
    built: list[Client] = []

    @container.provider(scope="app")
    def settings() -> Settings:
        return Settings()

    @container.provider(scope="app")
    def client(settings: Settings) -> Iterator[Client]:
        made = Client(settings)
        built.append(made)
        yield made
        if closed is not None:
            closed.append(made.settings.name)

    return container, built


def greeting() -> str:
    return "hello"


async def test_several_targets_replaced_together_and_restored() -> None:
    """One override() call replaces a registered type and a Depends target, then undoes both."""
    container, _ = make_container()

    @container.inject
    async def handler(settings: Settings, text: Annotated[str, Depends(greeting)]) -> str:
        return f"{settings.name} {text}"

    with override(container, {Settings: Settings("fake"), greeting: lambda: "hi"}):
        assert await handler() == "fake hi"
    assert await handler() == "real hello"


async def test_app_singleton_rebuilt_during_override_and_original_back_after() -> None:
    """An app-scoped value built from an overridden provider is rebuilt once, then restored."""
    container, built = make_container()

    @container.inject
    async def handler(client: Client) -> Client:
        return client

    original = await handler()
    with override(container, {Settings: Settings("fake")}):
        during = await handler()
        assert during is not original
        assert during.settings.name == "fake"
        assert await handler() is during  # rebuilt once, then shared like any singleton
    assert await handler() is original
    assert len(built) == 2


async def test_rebuilt_singleton_is_finalized_when_the_container_closes() -> None:
    """Both the original and the override-built singleton are torn down, newest first."""
    closed: list[str] = []
    container, _ = make_container(closed)

    @container.inject
    async def handler(client: Client) -> str:
        return client.settings.name

    assert await handler() == "real"
    with override(container, {Settings: fake(Settings("fake"))}):
        assert await handler() == "fake"
    assert closed == []
    await container.aclose()
    assert closed == ["fake", "real"]


async def test_nested_overrides_restore_step_by_step() -> None:
    """An inner override wins inside, and leaving it brings back the outer one, not the original."""
    container, _ = make_container()

    @container.inject
    async def handler(client: Client) -> str:
        return client.settings.name

    with override(container, {Settings: Settings("outer")}):
        assert await handler() == "outer"
        with override(container, {Settings: Settings("inner")}):
            assert await handler() == "inner"
        assert await handler() == "outer"
    assert await handler() == "real"


async def test_override_takes_effect_inside_an_open_request_scope() -> None:
    """A request-scoped value cached before the override is not reused after it starts."""
    container = Container()
    counter = iter(range(100))

    @container.provider
    def number() -> int:
        return next(counter)

    async with container.request() as scope:
        first = await scope.resolve(int)
        assert await scope.resolve(int) == first
        with override(container, {int: lambda: -1}):
            assert await scope.resolve(int) == -1
        assert await scope.resolve(int) == first


async def test_concurrent_local_overrides_do_not_leak() -> None:
    """Tasks overriding Settings differently (local=True) each see only their own value."""
    container, _ = make_container()

    @container.inject
    async def handler(client: Client) -> str:
        return client.settings.name

    both_inside = [anyio.Event(), anyio.Event()]
    seen: dict[str, str] = {}

    async def with_override(index: int, name: str) -> None:
        with override(container, {Settings: Settings(name)}, local=True):
            both_inside[index].set()
            for event in both_inside:  # both overrides are active before anyone resolves
                await event.wait()
            seen[name] = await handler()
            seen[name + " again"] = await handler()

    async def without_override() -> None:
        for event in both_inside:
            await event.wait()
        seen["plain"] = await handler()

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(with_override, 0, "a")
            tg.start_soon(with_override, 1, "b")
            tg.start_soon(without_override)
    assert seen == {"a": "a", "a again": "a", "b": "b", "b again": "b", "plain": "real"}
    assert await handler() == "real"


async def test_local_override_rebuilds_singletons_only_for_its_context() -> None:
    """A local override builds its own singleton; the rest of the app keeps the original."""
    container, _ = make_container()

    @container.inject
    async def handler(client: Client) -> Client:
        return client

    original = await handler()
    entered, checked = anyio.Event(), anyio.Event()
    inside: list[Client] = []

    async def overriding() -> None:
        with override(container, {Settings: Settings("local")}, local=True):
            inside.append(await handler())
            entered.set()
            await checked.wait()
            inside.append(await handler())

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(overriding)
            await entered.wait()
            assert await handler() is original
            checked.set()
    assert inside[0] is inside[1] and inside[0] is not original
    assert inside[0].settings.name == "local"


def test_global_override_is_seen_from_other_threads_local_is_not() -> None:
    """The default (global) override reaches a plain thread; a local one stays in its context."""
    container, _ = make_container()

    @container.inject
    def handler(settings: Settings) -> str:
        return settings.name

    def in_thread() -> str:
        result: list[str] = []
        thread = threading.Thread(target=lambda: result.append(handler()))
        thread.start()
        thread.join(timeout=60)
        return result[0]

    with override(container, {Settings: Settings("global")}):
        assert in_thread() == "global"
    with override(container, {Settings: Settings("local")}, local=True):
        assert handler() == "local"
        assert in_thread() == "real"


class Api:
    """App-scoped, two steps above Settings."""

    def __init__(self, client: Client) -> None:
        self.client = client


def api_token() -> str:
    return "real-token"


def signed(token: Annotated[str, Depends(api_token, scope="app")]) -> str:
    return f"signed with {token}"


async def test_every_singleton_up_the_chain_is_rebuilt_and_restored() -> None:
    """Overriding the bottom of an app-scoped chain rebuilds each level, Depends(app) too."""
    container, _ = make_container()
    container.register(Api, scope="app")

    @container.inject
    async def handler(
        api: Api, signature: Annotated[str, Depends(signed, scope="app")]
    ) -> tuple[Api, str]:
        return api, signature

    api, signature = await handler()
    with override(container, {Settings: Settings("fake"), api_token: lambda: "fake-token"}):
        during, during_signature = await handler()
        assert during is not api and during.client is not api.client
        assert during.client.settings.name == "fake"
        assert during_signature == "signed with fake-token"
    again, again_signature = await handler()
    assert again is api and again_signature == signature == "signed with real-token"
