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


ADAPTER_TESTS = """
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from app import container, create_note, current_user, fake_user
from injectkit.integrations.starlette import inject, setup

pytestmark = pytest.mark.anyio

app = Starlette(routes=[Route("/notes", inject(create_note))])
setup(app, container)
# Its endpoint is first used under a local override.
other_app = Starlette(routes=[Route("/notes", inject(create_note))])
setup(other_app, container)


async def get(params, app=app):
    # In process (the test's own context): a local override is seen by this request only.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/notes", params=params)


# First: the endpoint's readers are made without any override.
async def test_without_overrides_x_token_is_required(anyio_backend):
    assert (await get({"title": "t", "x_token": "ada"})).json() == "t by ada"
    assert (await get({"title": "t"})).status_code == 422


@pytest.mark.injectkit_overrides({current_user: fake_user}, local=True)
async def test_local_marker_through_the_adapter(anyio_backend):
    response = await get({"title": "t", "x_token": "ada", "name": "bob"})
    assert response.json() == "t by bob"
    response = await get({"title": "t"})  # x_token is no longer required
    assert response.json() == "t by fake"


@pytest.mark.injectkit_overrides({current_user: fake_user}, local=True)
async def test_local_marker_first(anyio_backend):
    assert (await get({"title": "t"}, other_app)).json() == "t by fake"


async def test_after_the_local_override_x_token_is_required_again(anyio_backend):
    assert (await get({"title": "t"}, other_app)).status_code == 422
    assert (await get({"title": "t", "x_token": "ada"}, other_app)).json() == "t by ada"


async def test_fixture_through_the_adapter(anyio_backend, injectkit_override):
    injectkit_override(current_user, fake_user)
    assert (await get({"title": "t", "x_token": "ada"})).json() == "t by fake"
"""


def test_local_marker_through_an_adapter_reads_the_replacements_parameters(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """Under a local override marker, an adapter reads the replacement's own parameters
    from the query and no longer requires the replaced provider's."""
    pytester.makepyfile(app=APP, test_adapter=ADAPTER_TESTS)
    pytester.makeconftest(CONFTEST)
    run_pytest().assert_outcomes(passed=10)
