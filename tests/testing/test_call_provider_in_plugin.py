"""In a test using the pytest plugin's fixtures, ``call_provider`` needs no container: the
plugin's is used (and the test's request scope joined)."""

from __future__ import annotations

import pytest

from .conftest import RunPytest

APP = """
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from injectkit import Container, Depends

container = Container()
closed: list[str] = []


@dataclass
class Session:
    dsn: str


@container.provider
def session() -> Iterator[Session]:
    yield Session("postgres://prod")
    closed.append("session")


def user_name(user_id: int) -> str:
    return f"user-{user_id}"


def get_user(session: Session, name: Annotated[str, Depends(user_name)]) -> str:
    return f"{name} on {session.dsn}"
"""

CONFTEST = """
import pytest

import app


@pytest.fixture(scope="session")
def injectkit_container():
    return app.container
"""

TESTS = """
import pytest

from injectkit.testing import call_provider, call_provider_sync

import app


@pytest.mark.anyio
async def test_async_form(injectkit_scope, anyio_backend):
    closed_before = len(app.closed)
    assert await call_provider(app.get_user, name="ada") == "ada on postgres://prod"
    fake = app.Session("sqlite://")
    assert await call_provider(app.get_user, {app.Session: fake}, user_id=7) == (
        "user-7 on sqlite://"
    )
    assert await call_provider(app.Session) == app.Session("postgres://prod")
    # The test's request scope is joined: the sessions close after the test, not here.
    assert len(app.closed) == closed_before


def test_sync_form(injectkit_scope):
    assert call_provider_sync(app.get_user, name="bob") == "bob on postgres://prod"


def test_keyword_inputs(injectkit_app):
    fake = app.Session("sqlite://")
    assert call_provider_sync(app.get_user, inputs={app.Session: fake}, name="eve") == (
        "eve on sqlite://"
    )
"""

WITHOUT_FIXTURE = """
import pytest

from injectkit import InjectionError
from injectkit.testing import call_provider_sync

import app


def test_no_plugin_fixture():
    with pytest.raises(InjectionError) as raised:
        call_provider_sync(app.get_user, name="ada")
    assert "call_provider(get_user) without a container needs" in str(raised.value)
    assert "call_provider(container, provider, ...)" in str(raised.value)
"""


def test_call_provider_without_a_container_uses_the_plugins(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """call_provider(provider, ...) in a plugin test runs in the plugin's container."""
    pytester.makepyfile(app=APP, test_forms=TESTS)
    pytester.makeconftest(CONFTEST)
    run_pytest("-p", "anyio").assert_outcomes(passed=4)


def test_call_provider_without_a_container_outside_the_plugin_says_what_to_pass(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """Without the plugin's injectkit_app, leaving the container out is an InjectionError."""
    pytester.makepyfile(app=APP, test_without=WITHOUT_FIXTURE)
    run_pytest().assert_outcomes(passed=1)
