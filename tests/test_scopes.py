"""Lifetimes: app, request, function and transient values; caching; nesting."""

import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import anyio
import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError, Scope, ScopeError

pytestmark = pytest.mark.anyio


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


async def test_request_scoped_dependency_runs_once_per_request() -> None:
    """Within one request a cached dependency runs once and every dependent shares it."""
    c = Container()
    count = Counter()

    def shared(n: Annotated[int, Depends(count)]) -> int:
        return n

    @c.inject
    async def handler(
        a: Annotated[int, Depends(count)], b: Annotated[int, Depends(shared)]
    ) -> tuple[int, int]:
        return a, b

    assert await handler() == (1, 1)
    assert await handler() == (2, 2)


async def test_use_cache_false_gives_a_fresh_call() -> None:
    """use_cache=False calls the dependency again for that dependent."""
    c = Container()
    count = Counter()

    @c.inject
    async def handler(
        a: Annotated[int, Depends(count)],
        b: Annotated[int, Depends(count, use_cache=False)],
        d: Annotated[int, Depends(count)],
    ) -> tuple[int, int, int]:
        return a, b, d

    a, b, d = await handler()
    assert a == d and b != a


async def test_app_scope_lives_until_the_container_closes() -> None:
    """An app-scoped value is built once, shared across requests, finalized on aclose."""
    c = Container()
    events: list[str] = []

    class Pool:
        pass

    @c.provider(scope="app")
    def pool() -> Iterator[Pool]:
        events.append("open")
        yield Pool()
        events.append("close")

    @c.inject
    async def handler(p: Pool) -> Pool:
        return p

    first, second = await handler(), await handler()
    assert first is second and events == ["open"]
    await c.aclose()
    assert events == ["open", "close"]
    assert await handler() is not first  # a new app scope after closing


async def test_depends_scope_app_is_shared_across_requests() -> None:
    """Depends(f, scope='app') caches f's value in the container."""
    c = Container()
    count = Counter()

    @c.inject
    async def handler(n: Annotated[int, Depends(count, scope="app")]) -> int:
        return n

    assert [await handler() for _ in range(3)] == [1, 1, 1]


async def test_transient_values_are_never_shared() -> None:
    """A transient registration is built for each dependent."""
    c = Container()

    class Thing:
        pass

    c.register(Thing, scope=Scope.TRANSIENT)

    @c.inject
    async def handler(a: Thing, b: Thing) -> bool:
        return a is b

    assert await handler() is False


async def test_function_scope_finalizes_right_after_the_call() -> None:
    """Depends(f, scope='function') closes when the injected call returns, before tasks."""
    c = Container()
    events: list[str] = []

    def resource() -> Iterator[str]:
        yield "r"
        events.append("function closed")

    def request_resource() -> Iterator[str]:
        yield "q"
        events.append("request closed")

    @c.inject
    async def inner(r: Annotated[str, Depends(resource, scope="function")]) -> str:
        events.append("inner ran")
        return r

    @c.inject
    async def outer(tasks: BackgroundTasks, q: Annotated[str, Depends(request_resource)]) -> None:
        tasks.add_task(events.append, "task")
        await inner()
        events.append("outer continues")

    await outer()
    assert events == [
        "inner ran",
        "function closed",
        "outer continues",
        "task",
        "request closed",
    ]


async def test_nested_injected_calls_join_the_open_scope() -> None:
    """Inside an open scope, nested injected calls share its request-scoped values."""
    c = Container()
    count = Counter()

    @c.inject
    async def inner(n: Annotated[int, Depends(count)]) -> int:
        return n

    @c.inject
    async def outer(n: Annotated[int, Depends(count)]) -> tuple[int, int]:
        return n, await inner()

    assert await outer() == (1, 1)
    async with c.request():
        assert await inner() == await inner() == 2


async def test_request_scope_as_sync_context_manager() -> None:
    """`with container.request()` works for sync code and shares values."""
    c = Container()
    count = Counter()

    @c.inject
    def handler(n: Annotated[int, Depends(count)]) -> int:
        return n

    with c.request():
        assert handler() == handler() == 1
    assert handler() == 2


async def test_app_scoped_provider_needing_request_scoped_is_a_scope_error() -> None:
    """An app-scoped provider that needs a request-scoped one fails validation."""
    c = Container()

    class Session:
        pass

    class Cache:
        def __init__(self, session: Session) -> None:
            pass

    c.register(Session, scope="request")
    c.register(Cache, scope="app")
    with pytest.raises(ScopeError) as info:
        c.validate()
    assert "Cache" in str(info.value) and "Session" in str(info.value)


async def test_request_scoped_needing_function_scoped_is_a_scope_error() -> None:
    """A request-scoped dependency cannot use a function-scoped one."""
    c = Container()

    def short() -> int:
        return 1

    def longer(x: Annotated[int, Depends(short, scope="function")]) -> int:
        return x

    @c.inject
    async def handler(y: Annotated[int, Depends(longer)]) -> int:
        return y

    with pytest.raises(ScopeError, match="longer"):
        await handler()


async def test_app_scope_cannot_use_background_tasks_or_call_values() -> None:
    """An app-scoped dependency taking BackgroundTasks is a ScopeError."""
    c = Container()

    def bad(tasks: BackgroundTasks) -> int:
        return 1

    @c.inject
    async def handler(x: Annotated[int, Depends(bad, scope="app")]) -> int:
        return x

    with pytest.raises(ScopeError, match="handler -> bad"):
        c.validate(handler)


async def test_transient_inherits_the_shortest_lifetime_it_uses() -> None:
    """An app-scoped value cannot use a transient that needs a request value."""
    c = Container()

    class Req:
        pass

    class Tr:
        def __init__(self, r: Req) -> None:
            pass

    class App:
        def __init__(self, t: Tr) -> None:
            pass

    c.register(Req)
    c.register(Tr, scope="transient")
    c.register(App, scope="app")
    with pytest.raises(ScopeError, match="App"):
        c.validate()


def test_bad_scope_names_are_rejected() -> None:
    """Unknown or misplaced scope names are InjectionErrors that list the valid ones."""
    c = Container()
    with pytest.raises(InjectionError, match="'app', 'request', 'function', 'transient'"):
        c.register(int, scope="session")
    with pytest.raises(InjectionError, match="scope='forever'"):
        Depends(int, scope="forever")


async def test_concurrent_first_use_builds_one_app_instance() -> None:
    """Two tasks resolving an app singleton at once get one instance."""
    c = Container()
    built: list[object] = []

    class Slow:
        pass

    @c.provider(scope="app")
    async def slow() -> Slow:
        await anyio.sleep(0.01)
        value = Slow()
        built.append(value)
        return value

    @c.inject
    async def handler(s: Slow) -> Slow:
        return s

    results: list[Slow] = []

    async def run() -> None:
        results.append(await handler())

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(run)
    assert len(built) == 1 and all(r is built[0] for r in results)


def test_concurrent_first_use_from_threads_builds_one_instance() -> None:
    """Threads resolving an app singleton at once get one instance."""
    c = Container()
    built: list[object] = []
    gate = threading.Barrier(8)

    class Heavy:
        pass

    @c.provider(scope="app")
    def heavy() -> Heavy:
        time.sleep(0.05)  # widen the window in which an unlocked build would run twice
        value = Heavy()
        built.append(value)
        return value

    @c.inject
    def handler(h: Heavy) -> Heavy:
        return h

    results: list[Heavy] = []

    def run() -> None:
        gate.wait()
        results.append(handler())

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and len(results) == 8
    assert all(result is built[0] for result in results)


async def test_async_app_provider_and_async_generator_finalizer() -> None:
    """App-scoped async generators are closed by aclose, newest first."""
    c = Container()
    events: list[str] = []

    class A:
        pass

    class B:
        def __init__(self, a: A) -> None:
            pass

    @c.provider(scope="app")
    async def a() -> AsyncIterator[A]:
        yield A()
        events.append("a closed")

    @c.provider(scope="app")
    async def b(a: A) -> AsyncIterator[B]:
        yield B(a)
        events.append("b closed")

    @c.inject
    async def handler(b: B) -> None:
        pass

    async with c:
        await handler()
    assert events == ["b closed", "a closed"]


def test_sync_container_close() -> None:
    """`with container:` closes sync app finalizers."""
    events: list[str] = []
    with Container() as c:

        @c.provider(scope="app")
        def res() -> Iterator[int]:
            yield 1
            events.append("closed")

        @c.inject
        def handler(r: int) -> int:
            return r

        assert handler() == 1
    assert events == ["closed"]


async def test_offloaded_sync_provider_runs_in_a_worker_thread() -> None:
    """register(..., offload=True) runs a sync provider in a worker thread, also overridden."""
    c = Container()
    threads: list[int] = []

    class Blocking:
        def __init__(self) -> None:
            threads.append(threading.get_ident())

    c.register(Blocking, offload=True)

    @c.inject
    async def handler(b: Blocking) -> None: ...

    def replacement() -> Blocking:
        return Blocking()

    await handler()
    with c.override(Blocking, replacement):
        await handler()
    assert len(threads) == 2
    assert threading.get_ident() not in threads
