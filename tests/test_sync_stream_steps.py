"""Injected (sync) generator handlers, step by step: the arguments and sent values they
get, what a finalizer failing on an error turns it into, which request is current in
their finalizers, and the warning a forgotten one gives."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from _stream_events import EventsBase

from injectkit import Container, Depends


class Events(EventsBase):
    """Providers that log what they see, one of which fails its rollback."""

    def session(self) -> Iterator[str]:
        with self.session_events():
            yield "session"


def test_a_generator_gets_positional_arguments_and_sent_values() -> None:
    """Positional arguments reach it, on its own request, inside an open one and through
    scope.call_sync; each value sent is what its yield returns."""
    c = Container()
    e = Events(c)

    def echo(prefix: str, s: Annotated[str, Depends(e.session)]) -> Iterator[str]:
        received = yield f"{prefix}-{s}"
        while received is not None:
            received = yield f"{prefix}-{received}"

    injected = c.inject(echo)
    gen = injected("p")
    assert gen.send(None) == "p-session"
    assert gen.send("x") == "p-x"
    with pytest.raises(StopIteration):
        gen.send(None)
    with c.request() as scope:
        joined = injected("q")
        assert joined.send(None) == "q-session"
        assert joined.send("z") == "q-z"
        joined.close()
        called = scope.call_sync(echo, "r")
        assert called.send(None) == "r-session"
        assert called.send("w") == "r-w"
        called.close()
    assert e.log.count("session closed") == 2


def test_a_finalizer_failing_on_an_error_thrown_in_replaces_it() -> None:
    """An exception thrown in that a finalizer turns into another: the consumer gets the
    finalizer's, chained to the first."""
    c = Container()
    e = Events(c)

    @c.inject
    def stream(s: Annotated[str, Depends(e.session)]) -> Iterator[str]:
        yield s
        yield s

    gen = stream()
    assert next(gen) == "session"
    with pytest.raises(OSError, match="rollback failed") as raised:
        gen.throw(LookupError("gone"))
    assert isinstance(raised.value.__cause__, LookupError)
    assert e.log == ["session open", "rollback failed", "session closed"]


def test_a_finalizer_failing_on_an_error_at_the_first_step_replaces_it() -> None:
    """A provider failing at the first step whose built dependency's finalizer fails in
    turn: the consumer gets the finalizer's error; a plain error arrives as it is."""
    c = Container()
    e = Events(c)
    failure = RuntimeError("no user")

    def lookup_user(s: Annotated[str, Depends(e.session)]) -> str:
        raise LookupError("no user")

    def broken_user(s: Annotated[str, Depends(e.session)]) -> str:
        raise failure

    @c.inject
    def stream(u: Annotated[str, Depends(lookup_user)]) -> Iterator[str]:
        yield u

    @c.inject
    def plain(u: Annotated[str, Depends(broken_user)]) -> Iterator[str]:
        yield u

    with pytest.raises(OSError, match="rollback failed") as raised:
        next(stream())
    assert isinstance(raised.value.__cause__, LookupError)
    with pytest.raises(RuntimeError) as plain_raised:
        next(plain())
    assert plain_raised.value is failure
    assert e.log == [
        "session open",
        "rollback failed",
        "session closed",
        "session open",
        "session saw RuntimeError",
        "session closed",
    ]


def test_function_scoped_finalizers_of_a_generator_run_inside_its_request() -> None:
    """Its own request, or the one it joined, is current while its function-scoped
    dependencies close, whether it was exhausted or failed."""
    c = Container()
    e = Events(c)

    @c.inject
    def stream(
        loc: Annotated[str, Depends(e.local, scope="function")], fail: bool = False
    ) -> Iterator[Any]:
        yield c.current_scope
        if fail:
            raise ValueError("broken")

    assert len(list(stream())) == 1
    with pytest.raises(ValueError, match="broken"):
        list(stream(fail=True))
    with c.request() as scope:
        assert list(stream()) == [scope]
    assert e.log == ["local closed in a request: True"] * 3


def forgotten() -> Iterator[int]:
    yield 1
    yield 2


def test_a_forgotten_generator_warns_at_its_function_with_the_fix() -> None:
    """The ResourceWarning of a generator collected unfinished says what happened and how
    to avoid it, and points at the generator function's own file and line."""
    c = Container()
    gen = c.inject(forgotten)()
    next(gen)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del gen
        gc.collect()
    [warning] = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert str(warning.message) == (
        f"injected generator {forgotten.__qualname__} was garbage-collected before it was "
        "exhausted or closed; its dependencies are finalized only now. Close it (close() / "
        "aclose(), or contextlib.closing / aclosing) when you stop iterating early."
    )
    assert warning.filename == __file__
    assert warning.lineno == forgotten.__code__.co_firstlineno
