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
from injectkit._shield import _asyncio_check, shield_needed

# The check is built once, at import; building it again in the test lets a mutation test
# (docs/mutation.md) see the building code too.
rebuilt = pytest.mark.parametrize("rebuild", [False, True], ids=["imported", "rebuilt"])


@rebuilt
def test_asyncio_shields_only_inside_an_anyio_cancel_scope(rebuild: bool) -> None:
    """No shield in a task outside anyio's scopes; a shield in a scope, group or group child."""
    check = _asyncio_check() if rebuild else shield_needed

    async def main() -> list[object]:
        seen: list[object] = [check()]
        with anyio.CancelScope():
            seen.append(check())
        async with anyio.create_task_group() as tg:
            seen.append(check())

            async def child() -> None:
                seen.append(("child", check()))

            tg.start_soon(child)
        seen.append(check())
        return seen

    assert asyncio.run(main()) == [False, True, True, ("child", True), False]


@rebuilt
def test_trio_always_shields(rebuild: bool) -> None:
    """On trio every task is inside cancel scopes, so finalizers are always shielded."""
    trio = pytest.importorskip("trio")
    check = _asyncio_check() if rebuild else shield_needed

    async def main() -> bool:
        return check()

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
