"""``call_sync`` of an async function or async generator function: refused before anything
runs, naming the function and saying how to call it instead."""

from collections.abc import AsyncIterator

import pytest

from injectkit import Container, InjectionError


async def fetch() -> int:
    return 1


async def stream() -> AsyncIterator[int]:
    yield 1


def test_call_sync_of_an_async_function_says_to_await_it() -> None:
    """The error names ``fetch`` as its chain and says to await it."""
    c = Container()
    with c.request() as scope, pytest.raises(InjectionError) as raised:
        scope.call_sync(fetch)  # type: ignore[unused-coroutine]  # the mistake under test
    assert raised.value.message == "fetch is async, so it cannot be called synchronously."
    assert raised.value.path == ("fetch",)
    assert raised.value.hint == "await it (or use `await scope.call(...)` instead of call_sync)."


def test_call_sync_of_an_async_generator_says_to_iterate_it_with_async_for() -> None:
    """The error names ``stream`` as its chain and says to use ``async for``."""
    c = Container()
    with c.request() as scope, pytest.raises(InjectionError) as raised:
        scope.call_sync(stream)
    assert raised.value.message == (
        "stream is an async generator function, so it cannot be iterated synchronously."
    )
    assert raised.value.path == ("stream",)
    assert raised.value.hint == (
        "iterate it with `async for` (or use `await scope.call(...)` instead of call_sync)."
    )
