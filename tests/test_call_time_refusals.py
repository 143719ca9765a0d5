"""The two refusals a call meets only when it runs: a free parameter the call did not
fill, and async generator providers in a request scope opened with a plain ``with``.
Both are raised before any provider runs, whole text, chain and requested name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from injectkit import Container, InjectionError, UnresolvableDependencyError

pytestmark = pytest.mark.anyio


class Db:
    pass


def make_container(events: list[str]) -> Container:
    c = Container()

    async def db() -> AsyncIterator[Db]:
        events.append("db opened")
        yield Db()

    c.register(Db, db)
    return c


async def test_a_free_parameter_the_call_left_out_is_named_with_its_annotation() -> None:
    """A call without a value for a free parameter is told which one, with its type, and
    how to fill it; no provider runs."""
    events: list[str] = []
    c = make_container(events)

    @c.inject
    async def handler(d: Db, user: str) -> None:
        pass

    with pytest.raises(UnresolvableDependencyError) as raised:
        await handler()
    assert str(raised.value) == (
        "Missing value for parameter 'user: str'\n"
        "of handler: it is not injected, the call did not pass it, and it has no default.\n"
        "  chain: handler\n"
        "  hint: pass user=... to the call, give the parameter a default, or mark it with\n"
        "        Depends(...)."
    )
    assert raised.value.path == ("handler",)
    assert raised.value.requested == "user: str"
    assert events == []


async def test_async_generator_providers_in_a_plain_with_scope_are_refused() -> None:
    """An async handler needing an async generator provider, called in a scope opened
    with ``with``, is told to open it with ``async with``; the provider does not run."""
    events: list[str] = []
    c = make_container(events)

    @c.inject
    async def handler(d: Db) -> None:
        pass

    with c.request(), pytest.raises(InjectionError) as raised:
        await handler()
    assert str(raised.value) == (
        "handler needs async generator providers, but the\n"
        "request scope was opened with a plain `with`.\n"
        "  chain: handler\n"
        "  hint: open the scope with `async with container.request()`."
    )
    assert raised.value.path == ("handler",)
    assert events == []
