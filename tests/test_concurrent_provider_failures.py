"""With concurrent=True, what the caller sees when sibling providers run together: the
one provider's own error (not an exception group), and a cancellation from outside
passed on as a cancellation."""

from __future__ import annotations

import anyio
import pytest

from injectkit import Container

pytestmark = pytest.mark.anyio


class Db:
    pass


class Cache:
    pass


def make_container(fail: bool) -> Container:
    c = Container(concurrent=True)

    async def db() -> Db:
        await anyio.sleep(0.05 if fail else 10)
        return Db()

    async def cache() -> Cache:
        await anyio.sleep(0)
        if fail:
            raise ValueError("cache unreachable")
        await anyio.sleep(10)
        return Cache()

    c.register(Db, db)
    c.register(Cache, cache)
    return c


async def test_one_failing_provider_raises_its_own_error_to_the_caller() -> None:
    """The failing provider's error reaches the caller as itself; its sibling is cancelled."""
    c = make_container(fail=True)

    @c.inject
    async def handler(db: Db, cache: Cache) -> None:
        pass

    with anyio.fail_after(5), pytest.raises(ValueError, match=r"^cache unreachable$"):
        await handler()


async def test_a_cancellation_from_outside_stops_concurrent_providers_quietly() -> None:
    """A deadline around the call cancels the providers running together; the call ends
    at the deadline without an error."""
    c = make_container(fail=False)
    ran: list[str] = []

    @c.inject
    async def handler(db: Db, cache: Cache) -> None:
        ran.append("handler")

    with anyio.fail_after(5):
        with anyio.move_on_after(0.1) as scope:
            await handler()
    assert scope.cancelled_caught
    assert ran == []
