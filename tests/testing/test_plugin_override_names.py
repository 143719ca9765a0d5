"""The pytest plugin's override fixture and marker keep what a call may pass (pytester)."""

from __future__ import annotations

import pytest

from .conftest import RunPytest
from .test_plugin import CONFTEST  # the same container fixture and backends

APP = """
from typing import Annotated

from injectkit import Container, Depends

container = Container()


class User:
    def __init__(self, name):
        self.name = name


def current_user(x_token: str) -> User:
    return User(x_token)


def fake_user(name: str = "fake") -> User:
    return User(name)


@container.inject
async def create_note(title: str, user: Annotated[User, Depends(current_user)]) -> str:
    return f"{title} by {user.name}"
"""

TESTS = """
import pytest

from app import create_note, current_user, fake_user

pytestmark = pytest.mark.anyio


async def test_fixture(anyio_backend, injectkit_override):
    injectkit_override(current_user, fake_user)
    assert await create_note(title="t", x_token="ada") == "t by fake"
    assert await create_note(title="t", x_token="ada", name="bob") == "t by bob"


@pytest.mark.injectkit_overrides({current_user: fake_user})
async def test_marker(anyio_backend):
    assert await create_note(title="t", x_token="ada") == "t by fake"


@pytest.mark.injectkit_overrides({current_user: fake_user}, local=True)
async def test_local_marker(anyio_backend):
    assert await create_note(title="t", x_token="ada") == "t by fake"


async def test_production_call_after_the_overrides(anyio_backend):
    assert await create_note(title="t", x_token="ada") == "t by ada"
"""


def test_override_fixture_and_marker_keep_the_names_a_call_passes(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """create_note(title=..., x_token=...) passes under injectkit_override and the marker."""
    pytester.makepyfile(app=APP, test_notes=TESTS)
    pytester.makeconftest(CONFTEST)
    run_pytest().assert_outcomes(passed=8)
