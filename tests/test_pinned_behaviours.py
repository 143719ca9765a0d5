"""Behaviours that a mutation test found unpinned: each test here fails if its code breaks.

Each test names the behaviour; docs/mutation.md lists the mutant that each one kills.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import anyio
import pytest

import injectkit._container
from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit._background import BackgroundTask
from injectkit.testing import queued

pytestmark = pytest.mark.anyio


class Resource:
    pass


# -- a request scope used outside its life ----------------------------------------------------


async def _use_async(scope: Any) -> None:
    await scope.resolve(Resource)


async def _call_async(scope: Any) -> None:
    await scope.call(lambda r: r, Resource())


async def _use_sync(scope: Any) -> None:
    scope.resolve_sync(Resource)


async def _call_sync(scope: Any) -> None:
    scope.call_sync(lambda r: r, Resource())


@pytest.mark.parametrize("use", [_use_async, _call_async, _use_sync, _call_sync])
async def test_a_scope_not_entered_or_already_closed_refuses_to_resolve(
    use: Callable[[Any], Any],
) -> None:
    """resolve/call on a scope never entered, or already closed, raise "not open"."""
    c = Container()
    c.register(Resource, scope="transient")
    scope = c.request()
    with pytest.raises(InjectionError, match="not open") as info:
        await use(scope)
    assert str(info.value).splitlines()[0] == "This request scope is not open."
    assert info.value.hint == (
        "use it inside `async with container.request() as scope:` (or `with` for sync code)."
    )
    async with scope:
        pass
    with pytest.raises(InjectionError, match="not open"):
        await use(scope)


# -- errors from request finalizers when a `with container.request()` block exits ------------


def _failing_teardown(c: Container) -> None:
    @c.provider
    def resource() -> Iterator[Resource]:
        yield Resource()
        raise OSError("teardown failed")


async def test_a_request_finalizer_error_is_raised_when_async_with_exits() -> None:
    """An error raised by a request finalizer as `async with request()` exits reaches the caller."""
    c = Container()
    _failing_teardown(c)
    with pytest.raises(OSError, match="teardown failed"):
        async with c.request() as scope:
            await scope.resolve(Resource)


def test_a_request_finalizer_error_is_raised_when_with_exits() -> None:
    """An error raised by a request finalizer as `with request()` exits reaches the caller."""
    c = Container()
    _failing_teardown(c)
    with pytest.raises(OSError, match="teardown failed"), c.request() as scope:
        scope.resolve_sync(Resource)


async def test_the_body_error_is_raised_once_when_finalizers_rethrow_it() -> None:
    """A finalizer that re-raises the body's error: the caller gets that very error, unchained."""
    c = Container()

    @c.provider
    def resource() -> Iterator[Resource]:
        yield Resource()

    error = KeyError("body")
    with pytest.raises(KeyError) as info:
        async with c.request() as scope:
            await scope.resolve(Resource)
            raise error
    assert info.value is error
    assert info.value.__context__ is None


# -- where the warning about a swallowed exception points --------------------------------------


def _sync_swallower() -> Iterator[int]:
    try:
        yield 1
    except ValueError:
        pass


async def _async_swallower() -> AsyncIterator[int]:
    try:
        yield 1
    except ValueError:
        pass


@pytest.mark.parametrize("swallower", [_sync_swallower, _async_swallower])
async def test_a_swallowing_finalizer_warns_at_its_own_line_and_the_error_still_arrives(
    swallower: Callable[[], Any],
) -> None:
    """A generator (sync or async) swallowing the error: caller gets it, warning at its def."""
    c = Container()

    @c.inject
    async def handler(x: Annotated[int, Depends(swallower)]) -> int:
        raise ValueError("original")

    with (
        pytest.warns(RuntimeWarning, match="swallowed ValueError") as warned,
        pytest.raises(ValueError, match="original"),
    ):
        await handler()
    [warning] = warned.list
    assert warning.filename == __file__
    assert warning.lineno == swallower.__code__.co_firstlineno


# -- generators that yield twice are closed before the error is raised ---------------------


async def test_an_async_generator_that_yields_twice_is_closed_before_the_error() -> None:
    """An async generator yielding twice: its code after the second yield has run when we raise."""
    c = Container()
    events: list[str] = []

    async def twice() -> AsyncIterator[int]:
        yield 1
        try:
            yield 2
        finally:
            events.append("closed")

    @c.inject
    async def handler(x: Annotated[int, Depends(twice)]) -> int:
        return x

    with pytest.raises(InjectionError, match="twice yielded more than once"):
        await handler()
    assert events == ["closed"]


# -- the app scope closed by sync code ---------------------------------------------------------


async def test_sync_close_refuses_an_async_app_provider_and_leaves_it_to_aclose() -> None:
    """Sync close() refuses an async app provider's teardown; aclose() later still runs it."""
    c = Container()
    events: list[str] = []

    @c.provider(scope="app")
    async def resource() -> AsyncIterator[Resource]:
        try:
            yield Resource()
        finally:
            events.append("closed")

    async with c.request() as scope:
        built = await scope.resolve(Resource)
    refused = r"(?s)async teardown of resource;\nnothing was closed\..*await container\.aclose\(\)"
    with pytest.raises(InjectionError, match=refused):
        c.close()
    assert events == []
    async with c.request() as scope:  # the refused close left the app scope as it was
        assert await scope.resolve(Resource) is built
    await c.aclose()
    assert events == ["closed"]


# -- BackgroundTask equality (what injectkit.testing.queued() compares with) -----------------


def _write(message: str, *, end: str = "\n") -> None:
    pass


def _other(message: str, *, end: str = "\n") -> None:
    pass


def test_background_tasks_are_equal_when_function_and_arguments_are() -> None:
    """Two BackgroundTasks are equal exactly when func, args and kwargs are all equal."""
    task = BackgroundTask(_write, ("a",), {"end": ""})
    assert task == BackgroundTask(_write, ("a",), {"end": ""})
    assert task == queued(_write, "a", end="")
    assert task != BackgroundTask(_other, ("a",), {"end": ""})
    assert task != BackgroundTask(_write, ("b",), {"end": ""})
    assert task != BackgroundTask(_write, ("a",), {"end": "!"})
    assert task != BackgroundTask(_write, ("a",), {})
    assert task != ("a", _write)
    assert task.__eq__(object()) is NotImplemented
    with pytest.raises(TypeError):
        hash(task)


def test_queued_tasks_compare_equal_to_what_add_task_queued() -> None:
    """BackgroundTasks.tasks compares equal, in order, to queued() of the same calls."""
    tasks = BackgroundTasks()
    tasks.add_task(_write, "a", end="")
    tasks.add_task(_other, "b")
    assert list(tasks.tasks) == [queued(_write, "a", end=""), queued(_other, "b")]
    assert list(tasks.tasks) != [queued(_other, "b"), queued(_write, "a", end="")]


# -- callable instances with an async or generator __call__ -----------------------------------


class AsyncCallable:
    async def __call__(self) -> int:
        await anyio.sleep(0)
        return 7


class GeneratorCallable:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def __call__(self) -> Iterator[int]:
        yield 7
        self.events.append("closed")


class AsyncGeneratorCallable(GeneratorCallable):
    async def __call__(self) -> AsyncIterator[int]:  # type: ignore[override]
        yield 7
        self.events.append("closed")


@pytest.mark.parametrize("make", [AsyncCallable, GeneratorCallable, AsyncGeneratorCallable])
async def test_a_callable_instance_provider_follows_its_call_kind(make: Any) -> None:
    """An instance whose __call__ is async or a generator is awaited or iterated (and closed)."""
    events: list[str] = []
    provider = make() if make is AsyncCallable else make(events)
    c = Container()

    @c.inject
    async def handler(x: Annotated[int, Depends(provider)]) -> int:
        assert events == []
        return x

    assert await handler() == 7
    assert events == ([] if make is AsyncCallable else ["closed"])


async def test_a_callable_instance_with_async_call_runs_as_an_async_task() -> None:
    """A background task whose __call__ is async is awaited on the event loop."""
    c = Container()
    events: list[str] = []

    class Task:
        async def __call__(self, message: str) -> None:
            await anyio.sleep(0)
            events.append(message)

    @c.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(Task(), "ran")

    await handler()
    assert events == ["ran"]
    assert BackgroundTask(Task(), (), {}).is_async


# -- plans stay cached under a local override ------------------------------------------------


async def test_plans_are_compiled_once_under_a_local_override(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Calls under one override(..., local=True) reuse one compiled plan instead of recompiling."""
    compiled: list[object] = []
    compile_plan = injectkit._container.compile_plan

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args[0])
        return compile_plan(*args, **kwargs)

    monkeypatch.setattr(injectkit._container, "compile_plan", counting)
    c = Container()
    c.register(Resource, scope="transient")

    @c.inject
    async def handler(r: Resource) -> Resource:
        return r

    replacement = Resource()
    with c.override(Resource, lambda: replacement, local=True):
        for _ in range(3):
            assert await handler() is replacement
        assert len(compiled) == 1
        async with c.request() as scope:
            for _ in range(3):
                assert await scope.resolve(Resource) is replacement
        assert len(compiled) == 2
