"""How a finalizer with a time limit ends is reported as what happened: an error it
raises when its limit cancels it is the request's error (a shutdown cut of a finalizer
whose limit is still far off: tests/test_shutdown_grace.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from injectkit import Container

pytestmark = pytest.mark.anyio

BOUND = 10.0


class Session:
    pass


class Stuck:
    pass


def with_session(c: Container, events: list[str]) -> None:
    async def session() -> AsyncIterator[Session]:
        try:
            yield Session()
        except Exception as error:
            events.append(f"session closed on {error!r}")
            raise
        events.append("session closed")

    c.register(Session, session)


async def test_an_error_a_finalizer_raises_when_its_limit_cancels_it_is_not_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A finalizer cancelled by finalizer_timeout that fails while cleaning up: the
    request ends with its error (as for any failing finalizer), the older finalizers
    still run and see that error, and it is not reported as merely cancelled."""
    events: list[str] = []
    c = Container(finalizer_timeout=0.1)
    with_session(c, events)

    async def stuck(session: Session) -> AsyncIterator[Stuck]:
        yield Stuck()
        try:
            await anyio.sleep(BOUND)
        except anyio.get_cancelled_exc_class():
            raise RuntimeError("rollback failed") from None

    c.register(Stuck, stuck)

    @c.inject
    async def handler(value: Stuck) -> str:
        return "done"

    with anyio.fail_after(BOUND), pytest.raises(RuntimeError, match="rollback failed"):
        await handler()
    assert events == ["session closed on RuntimeError('rollback failed')"]
    assert "did not finish within its time limit" not in caplog.text
