"""Request and app scope edge cases a mutation run found unpinned (docs/mutation.md)."""

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from injectkit import BackgroundTasks, Container, InjectionError
from injectkit._request import BARE_SYNC, ENDED, META

pytestmark = pytest.mark.anyio


class Resource:
    pass


class Other:
    pass


# -- a sync `with container.request()` -------------------------------------------------------


def test_a_sync_scope_ending_in_an_error_drops_tasks_and_throws_it_into_finalizers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`with request()` left by an error: tasks dropped (logged), finalizers see it, raised once."""
    c = Container()
    events: list[str] = []

    @c.provider
    def resource() -> Iterator[Resource]:
        try:
            yield Resource()
        except KeyError:
            events.append("saw KeyError")
            raise

    caplog.set_level(logging.DEBUG, logger="injectkit")
    error = KeyError("body")
    with pytest.raises(KeyError) as info, c.request() as scope:
        scope.resolve_sync(Resource)
        scope.background_tasks.add_task(events.append, "task")
        raise error
    assert info.value is error and info.value.__context__ is None
    assert events == ["saw KeyError"]
    assert [r.getMessage() for r in caplog.records if r.name == "injectkit"] == [
        "dropping 1 background task(s) because the call raised KeyError"
    ]


def test_a_sync_scope_runs_every_task_in_order_with_its_arguments() -> None:
    """Tasks of a sync scope run inline, in order, with their args and kwargs (async ones too)."""
    c = Container()
    events: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> None:
        events.append((args, kwargs))

    async def record_async(*args: Any, **kwargs: Any) -> None:
        await anyio.sleep(0)
        events.append(("async", args, kwargs))

    with c.request() as scope:
        tasks = scope.background_tasks
        tasks.add_task(record, 1, k="a")
        tasks.add_task(record_async, 2, k="b")
        tasks.add_task(record, 3)
    assert events == [((1,), {"k": "a"}), ("async", (2,), {"k": "b"}), ((3,), {})]


def test_a_failing_task_in_a_sync_scope_is_logged_and_handed_to_the_hook(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sync scope's failing task: logged with its traceback; the hook gets the error and task."""
    seen: list[Any] = []
    c = Container(on_task_error=lambda error, task: seen.append((error, task)))

    def fail(n: int, *, why: str) -> None:
        raise ValueError(why)

    with c.request() as scope:
        scope.background_tasks.add_task(fail, 1, why="broken")
        scope.background_tasks.add_task(seen.append, "after")
    [(error, task), after] = seen
    assert isinstance(error, ValueError) and after == "after"
    assert (task.func, task.args, task.kwargs) == (fail, (1,), {"why": "broken"})
    [record] = [r for r in caplog.records if r.name == "injectkit"]
    assert record.getMessage() == "background task fail failed"
    assert record.exc_info is not None and record.exc_info[1] is error


def test_a_failing_error_hook_is_logged_too(caplog: pytest.LogCaptureFixture) -> None:
    """An on_task_error hook that raises: logged with the task's name, the others still run."""

    def hook(error: BaseException, task: Any) -> None:
        raise RuntimeError("hook broken")

    c = Container(on_task_error=hook)
    events: list[str] = []

    def fail() -> None:
        raise ValueError("task broken")

    with c.request() as scope:
        scope.background_tasks.add_task(fail)
        scope.background_tasks.add_task(events.append, "after")
    assert events == ["after"]
    messages = [r.getMessage() for r in caplog.records if r.name == "injectkit"]
    assert messages == [
        "background task fail failed",
        "the on_task_error hook failed for task fail",
    ]


# -- the scope object of a plain injected call, and repr --------------------------------------


async def test_current_scope_of_a_plain_call_is_open_and_resolves() -> None:
    """Inside a plain injected call, container.current_scope is an open scope that resolves."""
    c = Container()
    c.register(Resource)

    @c.inject
    async def handler(r: Resource) -> bool:
        scope = c.current_scope
        assert scope is not None
        return await scope.resolve(Resource) is r

    assert await handler() is True


async def test_a_scope_repr_says_its_state_and_how_many_values_it_holds() -> None:
    """repr(scope) shows new / open (with its cached values) / closed."""
    c = Container()
    c.register(Resource)
    scope = c.request()
    assert repr(scope) == "<RequestScope new values=0>"
    async with scope:
        await scope.resolve(Resource)
        assert repr(scope) == "<RequestScope open values=1>"
    assert repr(scope) == "<RequestScope closed values=0>"


def test_the_request_state_markers_read_as_what_they_are() -> None:
    """The markers in a request's state dict say what they mark, for a debugger's view."""
    assert [repr(META), repr(BARE_SYNC), repr(ENDED)] == [
        "<request>",
        "<bare sync request>",
        "<ended request>",
    ]


def test_background_tasks_repr_lists_the_queued_functions() -> None:
    """repr(BackgroundTasks) names every queued function, oldest first."""

    def first() -> None: ...

    def second() -> None: ...

    tasks = BackgroundTasks()
    tasks.add_task(first)
    tasks.add_task(second)
    assert repr(tasks) == "<BackgroundTasks [first, second]>"


def test_queuing_a_non_callable_says_how_to_queue() -> None:
    """add_task(non-callable): the hint shows the call to write."""
    with pytest.raises(InjectionError) as info:
        BackgroundTasks().add_task(42)  # type: ignore[arg-type]
    assert info.value.hint == "pass the function and its arguments: tasks.add_task(func, *args)."


# -- the app scope -----------------------------------------------------------------------------


async def test_app_finalizers_finish_when_aclose_is_cancelled() -> None:
    """container.aclose() cancelled while an app finalizer waits: that finalizer still finishes."""
    c = Container()
    events: list[str] = []
    closing, resume = anyio.Event(), anyio.Event()

    @c.provider(scope="app")
    async def resource() -> AsyncIterator[Resource]:
        yield Resource()
        closing.set()
        await resume.wait()  # the cancellation lands here
        events.append("closed")

    async with c.request() as scope:
        await scope.resolve(Resource)
    async with anyio.create_task_group() as tg:
        tg.start_soon(c.aclose)
        await closing.wait()
        tg.cancel_scope.cancel()
        resume.set()
    assert events == ["closed"]


async def test_sync_close_names_every_async_app_provider_it_cannot_close() -> None:
    """close() refusing async app teardowns names each provider, the chain and the fix."""
    c = Container()

    @c.provider(scope="app")
    async def resource() -> AsyncIterator[Resource]:
        yield Resource()

    @c.provider(scope="app")
    async def other() -> AsyncIterator[Other]:
        yield Other()

    async with c.request() as scope:
        await scope.resolve(Resource)
        await scope.resolve(Other)
    with pytest.raises(InjectionError) as info:
        c.close()
    assert str(info.value).split("\n  chain: ")[0] == (
        "close() cannot run the async teardown of resource,\nother; nothing was closed."
    )
    assert info.value.path == ("resolve(Resource)", "resource")
    assert info.value.hint == (
        "close the container with `await container.aclose()` (or `async with container:`)."
    )
    await c.aclose()
