"""An async injected call inside a request opened with a plain ``with``: refused only
when it needs async generator providers (their cleanup could not be awaited at the sync
close); plain async providers run and share the request's values."""

from __future__ import annotations

import pytest

from injectkit import Container

pytestmark = pytest.mark.anyio


class Session:
    pass


async def test_async_providers_run_in_a_request_opened_with_a_plain_with() -> None:
    """A request-scoped async provider runs once in a plain-`with` request and every
    call in it gets the same value."""
    c = Container()
    made: list[Session] = []

    async def session() -> Session:
        made.append(Session())
        return made[-1]

    c.register(Session, session)

    @c.inject
    async def handler(s: Session) -> Session:
        return s

    with c.request():
        first = await handler()
        assert await handler() is first
    assert made == [first]
