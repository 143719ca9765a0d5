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
        plain = asyncio.create_task(asyncio.sleep(0, result=None))
        await plain
        return seen

    assert asyncio.run(main()) == [False, True, True, ("child", True), False]


def test_trio_always_shields() -> None:
    trio = pytest.importorskip("trio")

    async def main() -> bool:
        return shield_needed()

    assert trio.run(main) is True


@pytest.mark.anyio
async def test_a_cancellation_arriving_during_the_finalizer_does_not_cut_it_short() -> None:
    """The request is cancelled while its async finalizer is waiting: it still finishes."""
    c = Container()
    events: list[str] = []
    closing = anyio.Event()

    async def res() -> AsyncIterator[int]:
        yield 1
        closing.set()
        await anyio.sleep(0.02)  # the cancellation lands here
        events.append("closed")

    @c.inject
    async def handler(x: Annotated[int, Depends(res)]) -> int:
        return x

    async with anyio.create_task_group() as tg:
        tg.start_soon(handler)
        await closing.wait()
        tg.cancel_scope.cancel()
    assert events == ["closed"]
