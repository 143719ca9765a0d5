"""Shutdown recognises a closing request's frames when a tool runs a renamed copy of the
function behind a wrapper, as mutmut does (docs/mutation.md)."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from injectkit._finalize import aclose_all
from injectkit._request import RequestScope
from injectkit._task_frames import runs


def test_a_frame_runs_a_function_its_copy_or_what_a_wrapper_wraps() -> None:
    """The function's own code, mutmut's renamed copies of it and a wrapper's inner function
    count as running it; another function's copy or a copy from another file does not."""
    own = inspect.unwrap(aclose_all).__code__
    method = inspect.unwrap(RequestScope.aclose).__code__
    assert runs(own, aclose_all)
    assert runs(own.replace(co_name="x_aclose_all__mutmut_orig"), aclose_all)
    assert runs(method.replace(co_name="xǁRequestScopeǁaclose__mutmut_7"), RequestScope.aclose)

    @functools.wraps(aclose_all)
    async def wrapper(*args: Any) -> Any:
        return await aclose_all(*args)

    assert runs(own, wrapper)
    assert not runs(wrapper.__code__, aclose_all)
    assert not runs(own.replace(co_name="x_aclose_within__mutmut_1"), aclose_all)
    assert not runs(own.replace(co_name="aclose_all__mutmut_1"), aclose_all)
    elsewhere = own.replace(co_name="x_aclose_all__mutmut_1", co_filename="elsewhere.py")
    assert not runs(elsewhere, aclose_all)
