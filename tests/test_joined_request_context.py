"""An injected function called inside an open scope joins it, and so gets the scope's
``context=`` values; one called inside another injected call (no context) still runs."""

from __future__ import annotations

from typing import Annotated

import pytest

from injectkit import Container, Depends


class User:
    def __init__(self, name: str = "anonymous") -> None:
        self.name = name


def greeting(user: User) -> str:
    return f"hello {user.name}"


@pytest.mark.anyio
async def test_an_injected_call_inside_an_async_scope_gets_its_context_values(
    anyio_backend: str,
) -> None:
    """``async with request(context={User: alice})``: a joined async call is given alice."""
    c = Container()

    @c.inject
    async def handler(text: Annotated[str, Depends(greeting)]) -> str:
        return text

    alice = User("alice")
    async with c.request(context={User: alice}):
        assert await handler() == "hello alice"


def test_an_injected_call_inside_a_sync_scope_gets_its_context_values() -> None:
    """``with request(context={User: alice})``: a joined sync call is given alice."""
    c = Container()

    @c.inject
    def handler(text: Annotated[str, Depends(greeting)]) -> str:
        return text

    alice = User("alice")
    with c.request(context={User: alice}):
        assert handler() == "hello alice"


def test_a_sync_injected_call_inside_another_joins_its_bare_request() -> None:
    """A sync injected function calling another: the inner one joins and shares values."""
    c = Container()
    c.register(User)

    @c.inject
    def inner(user: User) -> User:
        return user

    @c.inject
    def outer(user: User) -> tuple[User, User]:
        return user, inner()

    mine, theirs = outer()
    assert mine is theirs
