"""The objects an injected generator function returns: their repr, the three-argument
``throw`` / ``athrow``, the warning of a forgotten one made from a callable object, and
how a request that cuts a joined generator's cleanup names it."""

import gc
import logging
import sys
import traceback
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import Annotated, Any

import anyio
import pytest

from injectkit import Container, Depends


def numbers() -> Iterator[int]:
    yield 1
    yield 2


async def anumbers() -> AsyncIterator[int]:
    yield 1
    yield 2


def test_an_injected_generator_shows_its_kind_and_function() -> None:
    """repr() of what an injected generator function returns, alone or from scope.call."""
    c = Container()
    assert repr(c.inject(numbers)()) == "<injected generator numbers>"
    assert repr(c.inject(anumbers)()) == "<injected async generator anumbers>"
    with c.request() as scope:
        joined = scope.call_sync(numbers)
        assert repr(joined) == "<injected generator numbers>"


@pytest.mark.anyio
async def test_scope_call_of_an_async_generator_passes_its_arguments(anyio_backend: str) -> None:
    """``await scope.call(agen, 'a', suffix='!')``: positional and keyword arguments arrive."""
    c = Container()

    async def shout(word: str, suffix: str = "") -> AsyncIterator[str]:
        yield word + suffix

    async with c.request() as scope:
        gen = await scope.call(shout, "a", suffix="!")
        assert repr(gen) == "<injected async generator shout>"
        assert [item async for item in gen] == ["a!"]


def raised_elsewhere() -> TracebackType:
    """The traceback of an error raised in this function."""
    try:
        raise KeyError("elsewhere")
    except KeyError as exc:
        assert exc.__traceback__ is not None
        return exc.__traceback__


def catcher() -> Generator[Any, None, None]:
    """Yields what it caught: the exception and the functions of its traceback."""
    try:
        yield "ready"
    except ValueError as exc:
        yield (exc, [frame.name for frame in traceback.extract_tb(exc.__traceback__)])


async def acatcher() -> AsyncGenerator[Any, None]:
    try:
        yield "ready"
    except ValueError as exc:
        yield (exc, [frame.name for frame in traceback.extract_tb(exc.__traceback__)])


def old_throw_form() -> warnings.catch_warnings:
    """Python 3.12 deprecates throw(type, value, traceback); its behaviour is what is tested."""
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("ignore", DeprecationWarning)
    return context


def test_the_three_argument_throw_passes_the_value_and_traceback_on() -> None:
    """``gen.throw(ValueError, error, tb)``: the generator catches that very error, with
    ``tb``'s frames; ``gen.throw(ValueError, error)`` passes the error too."""
    c = Container()
    error = ValueError("sent")
    gen = c.inject(catcher)()
    assert next(gen) == "ready"
    context = old_throw_form()
    try:
        caught, frames = gen.throw(ValueError, error, raised_elsewhere())
    finally:
        context.__exit__(*sys.exc_info())
    assert caught is error
    assert "raised_elsewhere" in frames
    plain = c.inject(catcher)()
    next(plain)
    context = old_throw_form()
    try:
        caught, frames = plain.throw(ValueError, error)
    finally:
        context.__exit__(*sys.exc_info())
    assert caught is error
    gen.close()
    plain.close()


@pytest.mark.anyio
async def test_the_three_argument_athrow_passes_the_value_and_traceback_on(
    anyio_backend: str,
) -> None:
    """The async twin: ``agen.athrow(ValueError, error, tb)`` delivers that error and tb."""
    c = Container()
    error = ValueError("sent")
    gen = c.inject(acatcher)()
    assert await gen.__anext__() == "ready"
    context = old_throw_form()
    try:
        caught, frames = await gen.athrow(ValueError, error, raised_elsewhere())
    finally:
        context.__exit__(*sys.exc_info())
    assert caught is error
    assert "raised_elsewhere" in frames
    await gen.aclose()


class Numbers:
    """A callable object whose ``__call__`` is a generator: no ``__code__`` of its own."""

    def __call__(self) -> Iterator[int]:
        yield 1
        yield 2


def test_a_forgotten_generator_of_a_callable_object_warns_without_a_source_line() -> None:
    """Collected unfinished, it warns naming the object, at ``<injectkit>`` line 0 (there
    is no function to point at)."""
    c = Container()
    gen = c.inject(Numbers())()
    assert next(gen) == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del gen
        gc.collect()
    [warning] = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert str(warning.message).startswith(
        "injected generator Numbers() was garbage-collected before it was exhausted or closed"
    )
    assert (warning.filename, warning.lineno) == ("<injectkit>", 0)


@pytest.mark.anyio
async def test_a_joined_generator_whose_cleanup_overruns_is_named_in_the_log(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A request closing a joined generator whose ``finally`` hangs cuts it at the
    container's finalizer time limit and logs it by the generator's name."""
    c = Container(finalizer_timeout=0.05)
    log: list[str] = []

    def flush() -> Iterator[str]:
        yield "flush"
        log.append("request finalizer ran")

    async def slow_stream(f: Annotated[str, Depends(flush)]) -> AsyncIterator[str]:
        try:
            yield f
            yield f
        finally:
            await anyio.sleep(5)

    with caplog.at_level(logging.ERROR, logger="injectkit"):
        async with c.request() as scope:
            gen = await scope.call(slow_stream)
            assert await gen.__anext__() == "flush"
    assert [r.getMessage() for r in caplog.records] == [
        "the finalizer of injected generator slow_stream did not finish within its time "
        "limit (0.05 s) and was cancelled; the other finalizers still run"
    ]
    assert log == ["request finalizer ran"]


def broken() -> str:
    raise LookupError("no user")


def repeated_frames(error: BaseException) -> list[str]:
    """Functions listed twice in a row, for the same frame, in ``error``'s traceback."""
    repeated = []
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        if tb.tb_frame is tb.tb_next.tb_frame:
            repeated.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return repeated


def test_an_error_ending_a_generator_lists_each_frame_once_in_its_traceback() -> None:
    """Raised by a provider at the first step, or by the generator later: the error the
    consumer gets does not list injectkit's frame twice."""
    c = Container()

    @c.inject
    def unresolved(user: Annotated[str, Depends(broken)]) -> Iterator[str]:
        yield user

    @c.inject
    def failing() -> Iterator[str]:
        yield "a"
        raise LookupError("later")

    for stream in (unresolved, failing):
        with pytest.raises(LookupError) as raised:
            list(stream())
        assert repeated_frames(raised.value) == []


@pytest.mark.anyio
async def test_an_error_ending_an_async_generator_lists_each_frame_once(anyio_backend: str) -> None:
    """The async twin: a provider's error at the first step, the generator's own later."""
    c = Container()

    @c.inject
    async def unresolved(user: Annotated[str, Depends(broken)]) -> AsyncIterator[str]:
        yield user

    @c.inject
    async def failing() -> AsyncIterator[str]:
        yield "a"
        raise LookupError("later")

    for stream in (unresolved, failing):
        with pytest.raises(LookupError) as raised:
            [item async for item in stream()]
        assert repeated_frames(raised.value) == []
