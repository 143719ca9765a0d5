"""An app-scoped value whose dependencies are partly built already (earlier in the same
build, or by an earlier request) still gets every one of them, in sync and async code."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import Container

pytestmark = pytest.mark.anyio


class First:
    pass


class Second:
    pass


class Needs:
    def __init__(self, first: First, second: Second) -> None:
        self.first = first
        self.second = second


class Root:
    def __init__(self, needs: Needs, first: First) -> None:
        self.needs = needs
        self.first = first


def app_container() -> Container:
    c = Container()
    for cls in (First, Second, Needs, Root):
        c.register(cls, scope="app")
    return c


async def call(c: Container, func: Any, asynchronous: bool) -> Any:
    if asynchronous:

        async def handler(value: func) -> Any:  # type: ignore[valid-type]
            return value

        return await c.inject(handler)()

    def sync_handler(value: func) -> Any:  # type: ignore[valid-type]
        return value

    return c.inject(sync_handler)()


@pytest.mark.parametrize("asynchronous", [True, False], ids=["async", "sync"])
async def test_a_dependency_built_earlier_in_the_same_build_does_not_hide_the_next(
    asynchronous: bool,
) -> None:
    """Root needs Needs and First; First is built first, then Needs, whose own first
    dependency (First) is built already and whose second (Second) is not: Needs gets
    both, and First is the one Root gets."""
    c = app_container()
    root = await call(c, Root, asynchronous)
    assert isinstance(root.needs.second, Second)
    assert root.needs.first is root.first


@pytest.mark.parametrize("asynchronous", [True, False], ids=["async", "sync"])
async def test_a_dependency_built_by_an_earlier_request_does_not_hide_the_next(
    asynchronous: bool,
) -> None:
    """First is built by a first call; a second call builds Needs, whose first
    dependency is that app value and whose second is not built yet: it gets both."""
    c = app_container()
    first = await call(c, First, asynchronous)
    needs = await call(c, Needs, asynchronous)
    assert needs.first is first
    assert isinstance(needs.second, Second)
