"""When request finalizers run shielded from cancellation, and that they do.

The shield is skipped only where it protects against nothing: on asyncio, in a task no
anyio cancel scope encloses (see injectkit/_shield.py).
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import pytest

from injectkit import Container, Depends
from injectkit._shield import shield_needed


def test_asyncio_shields_only_inside_an_anyio_cancel_scope() -> None:
    """No shield in a task outside anyio's scopes; a shield in a scope, group or group child."""

    async def main() -> list[object]:
        seen: list[object] = [shield_needed()]
        with anyio.CancelScope():
            seen.append(shield_needed())
        async with anyio.create_task_group() as tg:
            seen.append(shield_needed())

            async def child() -> None:
                seen.append(("child", shield_needed()))

            tg.start_soon(child)
        seen.append(shield_needed())
        return seen

    assert asyncio.run(main()) == [False, True, True, ("child", True), False]


def test_trio_always_shields() -> None:
    """On trio every task is inside cancel scopes, so finalizers are always shielded."""
    trio = pytest.importorskip("trio")

    async def main() -> bool:
        return shield_needed()

    assert trio.run(main) is True


@pytest.mark.anyio
async def test_a_cancellation_arriving_during_the_finalizer_does_not_cut_it_short() -> None:
    """The request is cancelled while its async finalizer is waiting: it still finishes."""
    c = Container()
    events: list[str] = []
    closing, resume = anyio.Event(), anyio.Event()

    async def res() -> AsyncIterator[int]:
        yield 1
        closing.set()
        await resume.wait()  # the cancellation lands here
        events.append("closed")

    @c.inject
    async def handler(x: Annotated[int, Depends(res)]) -> int:
        return x

    async with anyio.create_task_group() as tg:
        tg.start_soon(handler)
        await closing.wait()
        tg.cancel_scope.cancel()
        resume.set()
    assert events == ["closed"]
