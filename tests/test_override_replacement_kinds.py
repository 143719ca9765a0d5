"""What an override's replacement is taken as: a value (not callable, or an instance of
the type), or a provider to call (a function, a class), and where that call runs."""

import threading
from typing import Annotated, Protocol, runtime_checkable

import pytest

from injectkit import Container, Depends

pytestmark = pytest.mark.anyio


def get_limit() -> int:
    return 100


def test_a_depends_callable_overridden_by_a_plain_value_gets_that_value() -> None:
    """override(get_limit, 10): not callable, so 10 is the value, never called."""
    c = Container()

    @c.inject
    def handler(limit: Annotated[int, Depends(get_limit)]) -> int:
        return limit

    with c.override(get_limit, 10):
        assert handler() == 10


class Clock:
    """A callable service: calling it tells the time."""

    def __init__(self, now: str = "real") -> None:
        self.now = now

    def __call__(self) -> str:
        return self.now


def test_a_callable_instance_of_the_type_is_used_as_it_is() -> None:
    """An instance of the overridden type is the value even when it is callable."""
    c = Container()
    c.register(Clock)
    fake = Clock("12:00")

    @c.inject
    def handler(clock: Clock) -> Clock:
        return clock

    with c.override(Clock, fake):
        assert handler() is fake


@runtime_checkable
class Timer(Protocol):
    def elapsed(self) -> float: ...


class FakeTimer:
    def elapsed(self) -> float:
        return 1.5


def test_a_class_replacing_a_protocol_it_satisfies_is_constructed() -> None:
    """override(Timer, FakeTimer): the class is a provider, called for an instance."""
    c = Container()

    @c.inject
    def handler(timer: Timer) -> Timer:
        return timer

    with c.override(Timer, FakeTimer):
        timer = handler()
    assert isinstance(timer, FakeTimer)
    assert timer.elapsed() == 1.5


async def test_an_override_of_an_unregistered_type_runs_in_the_callers_thread() -> None:
    """A sync replacement of a type nobody registered is not offloaded to a worker thread."""
    c = Container()
    threads: list[int] = []

    def fake_clock() -> Clock:
        threads.append(threading.get_ident())
        return Clock("fake")

    @c.inject
    async def handler(clock: Clock) -> str:
        return clock()

    with c.override(Clock, fake_clock):
        assert await handler() == "fake"
    assert threads == [threading.get_ident()]
