"""Finalizer edge cases a mutation run found unpinned: the errors' full text, and closing
going on past a finalizer that failed or swallowed the error."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest

from injectkit import Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


async def test_yielding_twice_names_the_chain_and_says_what_to_do() -> None:
    """The "yielded more than once" error carries the chain and the one-yield hint."""
    c = Container()

    def twice() -> Iterator[int]:
        yield 1
        yield 2

    @c.inject
    async def handler(x: Annotated[int, Depends(twice)]) -> int:
        return x

    with pytest.raises(InjectionError) as info:
        await handler()
    assert info.value.path == ("handler", "twice")
    assert info.value.hint == (
        "a provider yields exactly one value; put the teardown after that one yield."
    )


async def test_a_generator_failing_as_it_is_closed_after_yielding_twice_is_still_reported() -> None:
    """A twice-yielding generator whose close() raises: the caller gets "yielded more than once"."""
    c = Container()

    def twice() -> Iterator[int]:
        yield 1
        try:
            yield 2
        finally:
            raise RuntimeError("broken close")

    @c.inject
    async def handler(x: Annotated[int, Depends(twice)]) -> int:
        return x

    with pytest.raises(InjectionError, match="twice yielded more than once"):
        await handler()


@pytest.mark.parametrize("newer_is_async", [False, True])
async def test_older_finalizers_still_see_the_error_after_a_newer_one_swallowed_it(
    newer_is_async: bool,
) -> None:
    """After a finalizer swallowed the error, the older ones are still closed with it."""
    c = Container()
    events: list[str] = []

    def older() -> Iterator[int]:
        try:
            yield 1
        except KeyError:
            events.append("older saw KeyError")
            raise

    def newer_sync(x: Annotated[int, Depends(older)]) -> Iterator[int]:
        try:
            yield x
        except KeyError:
            pass

    async def newer_async(x: Annotated[int, Depends(older)]) -> AsyncIterator[int]:
        try:
            yield x
        except KeyError:
            pass

    newer = newer_async if newer_is_async else newer_sync

    @c.inject
    async def handler(x: Annotated[int, Depends(newer)]) -> int:
        raise KeyError("k")

    with pytest.warns(RuntimeWarning, match="swallowed KeyError"), pytest.raises(KeyError):
        await handler()
    assert events == ["older saw KeyError"]


async def test_older_finalizers_run_after_a_newer_async_one_failed() -> None:
    """An async finalizer raising: the older ones are still closed, seeing its error."""
    c = Container()
    events: list[str] = []

    async def older() -> AsyncIterator[int]:
        try:
            yield 1
        except OSError:
            events.append("older saw OSError")
            raise

    async def newer(x: Annotated[int, Depends(older)]) -> AsyncIterator[int]:
        yield x
        raise OSError("disk")

    @c.inject
    async def handler(x: Annotated[int, Depends(newer)]) -> int:
        return x

    with pytest.raises(OSError, match="disk"):
        await handler()
    assert events == ["older saw OSError"]
