"""Robustness: nothing hangs, nothing runs twice, nothing is lost (issue #11, defects)."""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
import pytest

from injectkit import Container, Depends


class Singleton:
    pass


def _counting(tp: type, needs: type | None, built: list[object]) -> Callable[..., object]:
    """An app provider of ``tp`` (taking a ``needs``) that records each instance it makes."""

    def make(*needed: object) -> object:
        value = tp()
        built.append(value)
        return value

    if needs is not None:

        def make_from(dependency: object) -> object:
            return make(dependency)

        make_from.__annotations__ = {"dependency": needs}
        return make_from
    return make


def thread_race_on_fresh_containers(*, threads: int, containers: int, dependencies: int = 0) -> int:
    """How many of ``containers`` fresh containers built an app singleton more than once.

    For each container, ``threads`` threads resolve one app-scoped provider through
    ``container.request()`` / ``resolve_sync`` at the same moment, with Python switching
    threads as often as it can.  With ``dependencies``, that provider needs a chain of as
    many other app-scoped providers: each is one more first use the threads race on, and
    a key built twice anywhere in the chain builds the singleton twice.

    The threads are reused from container to container and released together by a spin
    on a counter: a ``threading.Barrier`` wakes its waiters one by one, which leaves them
    too little overlap to race.  The stress suite runs this at full size (32 threads).
    """
    chain = [type(f"Link{i}", (), {}) for i in range(dependencies)]
    current: list[Container | None] = [None]
    started = [0]
    ready = threading.Barrier(threads + 1, timeout=30)
    finished = threading.Barrier(threads + 1, timeout=30)
    errors: list[BaseException] = []

    def worker() -> None:
        seen = 0
        while True:
            ready.wait()
            seen += 1
            while started[0] < seen:  # spin: all threads leave this loop at once
                pass
            container = current[0]
            if container is None:
                return
            try:
                with container.request() as scope:
                    scope.resolve_sync(Singleton)
            except BaseException as error:  # reported by the caller, after the race
                errors.append(error)
            finished.wait()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in pool:
            thread.start()
        twice = 0
        for _ in range(containers):
            container = Container()
            built: list[object] = []
            previous: type | None = None
            for tp in [*chain, Singleton]:
                container.register(tp, _counting(tp, previous, built), scope="app")
                previous = tp
            current[0] = container
            ready.wait()
            started[0] += 1
            finished.wait()
            twice += len(built) > dependencies + 1
        current[0] = None
        ready.wait()
        started[0] += 1
    finally:
        sys.setswitchinterval(interval)
        for thread in pool:
            thread.join(timeout=30)
    if errors:
        raise errors[0]
    return twice


def test_threads_racing_fresh_containers_build_each_app_singleton_once() -> None:
    """Threads resolving an app singleton on a fresh container at once build it once."""
    assert thread_race_on_fresh_containers(threads=8, containers=200, dependencies=16) == 0


# -- function-scoped finalizers are shielded like request-scoped ones -------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("inside_request", [False, True], ids=["own request", "joined"])
async def test_cancelled_call_runs_function_scoped_cleanup_past_its_await(
    anyio_backend: str, inside_request: bool
) -> None:
    """A call cancelled while its handler waits still runs a function-scoped cleanup to the end."""
    c = Container()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        try:
            yield "r"
        finally:
            await anyio.sleep(0)  # a real cleanup awaits (rollback, close a connection)
            events.append("cleaned up")

    @c.inject
    async def handler(r: Annotated[str, Depends(resource, scope="function")]) -> None:
        await anyio.sleep_forever()

    with anyio.fail_after(5), anyio.move_on_after(0.02):  # expires while the handler waits
        if inside_request:
            async with c.request():
                await handler()
        else:
            await handler()
    assert events == ["cleaned up"]


@pytest.mark.anyio
async def test_deadline_during_function_scoped_cleanup_does_not_cut_it_short(
    anyio_backend: str,
) -> None:
    """A deadline that expires while a function-scoped cleanup awaits lets it finish."""
    c = Container()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        yield "r"
        await anyio.sleep(0.2)
        events.append("cleaned up")

    @c.inject
    async def handler(r: Annotated[str, Depends(resource, scope="function")]) -> str:
        return r

    with anyio.move_on_after(0.05):
        await handler()
    assert events == ["cleaned up"]
