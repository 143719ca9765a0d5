"""Opt-in concurrent resolution of independent async dependencies."""

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import pytest

from injectkit import Container, Depends

pytestmark = pytest.mark.anyio


def make(events: list[str], gate: anyio.Event | None = None):  # type: ignore[no-untyped-def]
    async def a() -> str:
        events.append("a start")
        if gate is not None:
            await gate.wait()
        events.append("a end")
        return "a"

    async def b() -> str:
        events.append("b start")
        if gate is not None:
            gate.set()
        events.append("b end")
        return "b"

    return a, b


async def test_independent_async_dependencies_overlap() -> None:
    """With concurrent=True, b starts while a is still waiting (a waits for b)."""
    c = Container(concurrent=True)
    events: list[str] = []
    a, b = make(events, anyio.Event())

    @c.inject
    async def handler(x: Annotated[str, Depends(a)], y: Annotated[str, Depends(b)]) -> str:
        return x + y

    with anyio.fail_after(5):  # sequentially, a would wait for b forever
        assert await handler() == "ab"
    assert events.index("b start") < events.index("a end")


async def test_sequential_is_the_default() -> None:
    """Without concurrent=True, dependencies run one after another."""
    c = Container()
    events: list[str] = []
    a, b = make(events)

    @c.inject
    async def handler(x: Annotated[str, Depends(a)], y: Annotated[str, Depends(b)]) -> str:
        return x + y

    assert await handler() == "ab"
    assert events == ["a start", "a end", "b start", "b end"]


async def test_a_failure_cancels_the_others_and_finalizers_still_run() -> None:
    """One failing dependency cancels its siblings; what was built is finalized."""
    c = Container(concurrent=True)
    events: list[str] = []
    ready = anyio.Event()

    async def resource() -> AsyncIterator[str]:
        try:
            ready.set()
            yield "r"
        finally:
            events.append("resource closed")

    async def slow() -> str:
        try:
            await anyio.sleep_forever()
        finally:
            events.append("slow cancelled")
        return "never"  # pragma: no cover

    async def failing() -> str:
        await ready.wait()
        raise LookupError("failed")

    @c.inject
    async def handler(
        r: Annotated[str, Depends(resource)],
        s: Annotated[str, Depends(slow)],
        f: Annotated[str, Depends(failing)],
    ) -> str:
        return r + s + f  # pragma: no cover

    with anyio.fail_after(5), pytest.raises(LookupError):
        await handler()
    assert sorted(events) == ["resource closed", "slow cancelled"]
