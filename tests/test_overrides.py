"""Overrides: swap a registered type or a Depends callable; rebuild what was built from it."""

from collections.abc import Iterator
from typing import Annotated

import anyio
import pytest

from injectkit import Container, Depends

pytestmark = pytest.mark.anyio


class Settings:
    def __init__(self, dsn: str = "prod") -> None:
        self.dsn = dsn


class Client:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def get_user() -> str:
    return "real user"


async def test_override_a_depends_callable() -> None:
    """override(f, g) makes Depends(f) call g, with g's own parameters resolved."""
    c = Container()
    c.register(Settings)

    def fake_user(settings: Settings) -> str:
        return f"fake user on {settings.dsn}"

    @c.inject
    async def handler(user: Annotated[str, Depends(get_user)]) -> str:
        return user

    with c.override(get_user, fake_user):
        assert await handler() == "fake user on prod"
    assert await handler() == "real user"


async def test_override_a_registered_type_with_a_value_or_a_provider() -> None:
    """A registered type can be replaced by an instance or by another provider."""
    c = Container()
    c.register(Settings)

    @c.inject
    async def handler(s: Settings) -> str:
        return s.dsn

    with c.override(Settings, Settings("test")):
        assert await handler() == "test"
    with c.override(Settings, lambda: Settings("lambda")):
        assert await handler() == "lambda"
    assert await handler() == "prod"


async def test_override_rebuilds_app_singletons_built_from_the_replaced_provider() -> None:
    """An app-scoped value built on an overridden provider is rebuilt, and comes back after."""
    c = Container()
    c.register(Settings, scope="app")
    c.register(Client, scope="app")

    @c.inject
    async def handler(client: Client) -> Client:
        return client

    original = await handler()
    assert original.settings.dsn == "prod"
    with c.override(Settings, Settings("test")):
        during = await handler()
        assert during is not original and during.settings.dsn == "test"
        assert await handler() is during  # still a singleton while overridden
    assert await handler() is original


async def test_permanent_overrides_mapping() -> None:
    """container.overrides holds overrides until they are deleted."""
    c = Container()

    @c.inject
    async def handler(user: Annotated[str, Depends(get_user)]) -> str:
        return user

    c.overrides[get_user] = lambda: "mapped"
    assert await handler() == "mapped"
    del c.overrides[get_user]
    assert await handler() == "real user"


async def test_override_with_generator_replacement_is_finalized() -> None:
    """A generator replacement is finalized like any provider."""
    c = Container()
    events: list[str] = []

    def fake() -> Iterator[str]:
        yield "fake"
        events.append("fake closed")

    @c.inject
    async def handler(user: Annotated[str, Depends(get_user)]) -> str:
        return user

    with c.override(get_user, fake):
        assert await handler() == "fake"
    assert events == ["fake closed"]


async def test_local_overrides_do_not_leak_between_tasks() -> None:
    """override(..., local=True) is seen only by the task that set it (and its children)."""
    c = Container()

    @c.inject
    async def handler(user: Annotated[str, Depends(get_user)]) -> str:
        return user

    results: dict[str, str] = {}
    both_inside = anyio.Event()
    entered = 0

    async def run(name: str) -> None:
        nonlocal entered
        with c.override(get_user, lambda: name, local=True):
            entered += 1
            if entered == 2:
                both_inside.set()
            await both_inside.wait()
            results[name] = await handler()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run, "alice")
        tg.start_soon(run, "bob")
    assert results == {"alice": "alice", "bob": "bob"}
    assert await handler() == "real user"


async def test_nested_overrides_restore_in_order() -> None:
    """Nested overrides of the same target unwind to the previous one."""
    c = Container()

    @c.inject
    async def handler(user: Annotated[str, Depends(get_user)]) -> str:
        return user

    with c.override(get_user, lambda: "outer"):
        with c.override(get_user, lambda: "inner"):
            assert await handler() == "inner"
        assert await handler() == "outer"
    assert await handler() == "real user"


def test_override_in_sync_code() -> None:
    """Overrides apply to sync injected functions too."""
    c = Container()

    @c.inject
    def handler(user: Annotated[str, Depends(get_user)]) -> str:
        return user

    with c.override(get_user, lambda: "sync fake"):
        assert handler() == "sync fake"
    assert handler() == "real user"


async def test_value_override_of_an_app_scoped_type_in_a_sync_graph() -> None:
    """An app-scoped type overridden by a plain value: the handler gets that value."""
    c = Container()
    c.register(Settings, scope="app")
    c.register(Client)

    @c.inject
    async def handler(client: Client, s: Settings) -> tuple[str, bool]:
        return client.settings.dsn, client.settings is s

    with c.override(Settings, Settings("value")):
        assert await handler() == ("value", True)
        source = c.plan_source(handler)
        assert "app_get" not in source.split("async def join")[0]  # inline, no lookup
    assert await handler() == ("prod", True)
