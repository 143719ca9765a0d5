"""A traceback through a plan shows the generated line that called the failing provider."""

import gc
import inspect
import linecache
import traceback
from collections.abc import Callable
from typing import Annotated

import pytest

from injectkit import Container, Depends


class Broken(Exception):
    pass


def broken(token: str) -> str:
    raise Broken(token)


def _plan_frame(error: BaseException) -> traceback.FrameSummary:
    """The one frame of a plan function in the traceback of ``error``."""
    (frame,) = [
        f for f in traceback.extract_tb(error.__traceback__) if "injectkit plan" in f.filename
    ]
    return frame


def _failing_call(c: Container) -> tuple[Callable[..., str], BaseException]:
    """An injected handler whose one provider raises, and what its call raised."""

    @c.inject
    def handler(user: Annotated[str, Depends(broken)]) -> str:
        return user

    with pytest.raises(Broken) as info:
        handler(token="t")
    return handler, info.value


def test_a_providers_error_shows_the_plan_line_that_called_it() -> None:
    """The plan's frame in the traceback has its source line: the provider's call."""
    c = Container()
    handler, error = _failing_call(c)
    frame = _plan_frame(error)
    assert frame.line == "v0 = c0(f0)"
    assert frame.line in c.plan_source(handler)
    assert "v0 = c0(f0)" in "".join(traceback.format_exception(error))


@pytest.mark.anyio
async def test_an_async_plans_frame_shows_its_line_too(anyio_backend: str) -> None:
    """An async handler's plan frame shows the generated provider call as well."""
    c = Container()

    @c.inject
    async def handler(title: str, user: Annotated[str, Depends(broken)]) -> str:
        return title + user

    with pytest.raises(Broken) as info:
        await handler("a", token="t")
    assert _plan_frame(info.value).line == "v0 = c0(f0)"


def test_plans_of_functions_with_the_same_name_show_their_own_lines() -> None:
    """Each plan function has a file name of its own, so two plans never share lines."""
    handler, first = _failing_call(Container())
    c = Container()

    def other(n: Annotated[int, Depends(lambda: 1)], user: Annotated[str, Depends(broken)]) -> str:
        return user

    other.__name__ = other.__qualname__ = handler.__qualname__
    with pytest.raises(Broken) as second:
        c.inject(other)(token="t")
    frame_one, frame_two = _plan_frame(first), _plan_frame(second.value)
    assert frame_one.filename != frame_two.filename
    assert (frame_one.line, frame_two.line) == ("v0 = c0(f0)", "v1 = c1(f0)")


def test_a_plans_lines_leave_linecache_with_the_plan() -> None:
    """When a container and its plans are gone, their source is no longer held."""

    def call_once() -> str:
        filename = _plan_frame(_failing_call(Container())[1]).filename
        assert filename in linecache.cache
        return filename

    filename = call_once()
    gc.collect()
    assert filename not in linecache.cache


def test_a_plans_source_reads_line_by_line_from_its_frame() -> None:
    """``inspect.getsourcelines`` on the plan's frame of a traceback gives whole lines, each
    ending with its newline, the provider's call among them."""
    _, error = _failing_call(Container())
    tb = error.__traceback__
    while tb is not None and "injectkit plan" not in tb.tb_frame.f_code.co_filename:
        tb = tb.tb_next
    assert tb is not None
    lines, _ = inspect.getsourcelines(tb.tb_frame)
    assert all(line.endswith("\n") for line in lines)
    assert "    v0 = c0(f0)\n" in lines


def test_a_plan_whose_lines_were_cleared_from_linecache_goes_quietly() -> None:
    """``linecache.clearcache()`` (as some tools call) before the plan is collected: its
    clean-up finds nothing to remove and raises nothing."""
    c = Container()
    handler, _ = _failing_call(c)
    linecache.clearcache()
    del handler, c
    gc.collect()  # an error in the clean-up would be reported here, and fail the test
