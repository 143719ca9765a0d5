"""A failure inside an injected call shows the user's frames in pytest's traceback, not
injectkit's wrappers or the generated plan (pytest's ``__tracebackhide__``)."""

from __future__ import annotations

import pytest

from .conftest import RunPytest

FAILING = """
from collections.abc import Iterator
from typing import Annotated

import pytest

from injectkit import Container, Depends
from injectkit.testing import call_provider

container = Container()


def get_db() -> Iterator[int]:
    raise ValueError("db is down")
    yield 1


def get_user(db: Annotated[int, Depends(get_db)]) -> int:
    return db


@container.inject
def sync_handler(user: Annotated[int, Depends(get_user)]) -> int:
    return user


@container.inject
async def async_handler(user: Annotated[int, Depends(get_user)]) -> int:
    return user


@container.inject
async def outer() -> int:
    return await async_handler()


@container.inject
def needs_name(name: str) -> str:
    return name


def test_sync_call():
    sync_handler()


@pytest.mark.anyio
async def test_async_call(anyio_backend):
    await async_handler()


@pytest.mark.anyio
async def test_nested_call(anyio_backend):
    await outer()


@pytest.mark.anyio
async def test_scope_call(anyio_backend):
    async with container.request() as scope:
        await scope.call(async_handler)


@pytest.mark.anyio
async def test_call_provider(anyio_backend):
    await call_provider(container, get_user)


def test_injection_error():
    needs_name()
"""

TESTS = ("sync_call", "async_call", "nested_call", "scope_call", "call_provider")


@pytest.fixture
def failing(pytester: pytest.Pytester) -> pytest.Pytester:
    """A test file whose tests fail inside injected calls (asyncio only: one run each)."""
    pytester.makepyfile(test_failing=FAILING)
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    return pytester


def test_traceback_shows_the_users_frames_without_injectkits(
    failing: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """--tb=short: test line, then the provider that raised; no wrapper or plan frame."""
    result = run_pytest("--tb=short")
    result.assert_outcomes(failed=len(TESTS) + 1)
    output = result.stdout.str()
    assert "<injectkit plan" not in output
    assert "injectkit/_" not in output and "injectkit\\_" not in output
    for name in TESTS:
        frames = [line for line in _section(output, f"test_{name}") if ": in " in line]
        assert frames[0].startswith("test_failing.py:"), frames
        assert frames[0].endswith(f"in test_{name}"), frames
        assert frames[-1].endswith("in get_db"), frames


def _section(output: str, test: str) -> list[str]:
    """The lines of ``test``'s failure report."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip("_ ") == test)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("___", "==="))),
        len(lines),
    )
    return lines[start + 1 : end]


def test_injection_error_points_at_the_users_call(
    failing: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """An InjectionError raised inside injectkit is shown at the test's own call line."""
    result = run_pytest("--tb=short", "-k", "injection_error")
    result.assert_outcomes(failed=1)
    section = _section(result.stdout.str(), "test_injection_error")
    frames = [line for line in section if ": in " in line]
    assert len(frames) == 1 and frames[0].endswith(": in test_injection_error"), frames
    assert section[section.index(frames[0]) + 1] == "    needs_name()"
    assert any("UnresolvableDependencyError: Missing value for parameter" in x for x in section)


def test_fulltrace_still_shows_the_plan(failing: pytest.Pytester, run_pytest: RunPytest) -> None:
    """The frames are hidden, not gone: --fulltrace shows the generated plan's line."""
    result = run_pytest("--tb=short", "--fulltrace", "-k", "test_sync_call")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["<injectkit plan fresh for 'sync_handler' #*>:*"])
