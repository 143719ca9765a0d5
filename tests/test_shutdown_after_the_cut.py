"""container.aclose() after its cut: what it logs when a request is still closing, and
which requests it waits for at all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import anyio
import pytest
import trio

from injectkit import BackgroundTasks, Container

pytestmark = pytest.mark.anyio

BOUND = 10.0


class Settings:
    pass


class Stubborn:
    pass


def with_app_settings(c: Container, events: list[str]) -> None:
    def settings() -> Iterator[Settings]:
        yield Settings()
        events.append("settings closed")

    c.register(Settings, settings, scope="app")


async def wait_through_cancellation(release: anyio.Event) -> None:
    """Wait for ``release`` whatever cancels us (on asyncio the cut's cancel passes
    through a shield): work that outlives the cut."""
    while not release.is_set():
        try:
            with anyio.CancelScope(shield=True):
                await release.wait()
        except anyio.get_cancelled_exc_class():
            pass


def errors_on_injectkit(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "injectkit" and r.levelno == logging.ERROR
    ]


async def close_while_closing(
    c: Container,
    handler: Callable[[], Awaitable[None]],
    reached: anyio.Event,
    events: list[str],
    release: anyio.Event | None = None,
) -> None:
    """Run ``handler``'s request; once it has ``reached`` its closing (a task or a
    finalizer running), close ``c``, note it in ``events``, then set ``release``."""
    with anyio.fail_after(BOUND):
        async with anyio.create_task_group() as tg:
            tg.start_soon(handler)
            await reached.wait()
            await c.aclose()
            events.append("container closed")
            if release is not None:
                release.set()


async def test_a_finalizer_that_outlives_the_cut_is_named_and_the_app_scope_still_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A finalizer shielded from the cut is named on the injectkit logger once the second
    grace has passed; the app scope closes anyway, before that finalizer ends."""
    events: list[str] = []
    c = Container(shutdown_grace=0.1)
    with_app_settings(c, events)
    finalizing = anyio.Event()
    release = anyio.Event()

    async def stubborn() -> AsyncIterator[Stubborn]:
        yield Stubborn()
        finalizing.set()
        await wait_through_cancellation(release)
        events.append("stubborn finalizer ended")

    c.register(Stubborn, stubborn)

    @c.inject
    async def handler(value: Stubborn, settings: Settings) -> None:
        pass

    await close_while_closing(c, handler, finalizing, events, release)
    assert events == ["settings closed", "container closed", "stubborn finalizer ended"]
    assert errors_on_injectkit(caplog)[-1] == (
        "the container closed while a request was still closing after being cancelled "
        "(the finalizer of stubborn still running)"
    )


async def test_a_task_that_outlives_the_cut_is_reported_as_the_requests_background_tasks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A background task shielded from the cut leaves its request closing: the log line
    names the request's background tasks, and the app scope still closes."""
    events: list[str] = []
    c = Container(shutdown_grace=0.1)
    with_app_settings(c, events)
    started = anyio.Event()
    release = anyio.Event()

    async def stubborn_task() -> None:
        started.set()
        await wait_through_cancellation(release)
        events.append("stubborn task ended")

    @c.inject
    async def handler(tasks: BackgroundTasks, settings: Settings) -> None:
        tasks.add_task(stubborn_task)

    await close_while_closing(c, handler, started, events, release)
    assert events[:2] == ["settings closed", "container closed"]
    assert "stubborn task ended" in events
    assert errors_on_injectkit(caplog)[-1] == (
        "the container closed while a request was still closing after being cancelled "
        "(its background tasks still running)"
    )


async def test_without_a_shutdown_grace_aclose_waits_as_long_as_a_request_closes() -> None:
    """shutdown_grace=None: aclose() waits for a closing request's task however long it
    takes, cancels nothing, and closes the app scope after it."""
    events: list[str] = []
    c = Container(shutdown_grace=None)
    with_app_settings(c, events)
    started = anyio.Event()

    async def slow_task() -> None:
        started.set()
        await anyio.sleep(0.2)
        events.append("task ran")

    @c.inject
    async def handler(tasks: BackgroundTasks, settings: Settings) -> None:
        tasks.add_task(slow_task)

    await close_while_closing(c, handler, started, events)
    assert events == ["task ran", "settings closed", "container closed"]


async def test_aclose_does_not_wait_for_a_request_of_another_container() -> None:
    """Closing one container leaves another container's closing request alone: it is
    neither waited for nor cut."""
    events: list[str] = []
    closing = Container(shutdown_grace=BOUND)
    with_app_settings(closing, events)
    other = Container(shutdown_grace=BOUND)
    started = anyio.Event()
    release = anyio.Event()

    async def other_task() -> None:
        started.set()
        await release.wait()
        events.append("other container's task ran")

    @other.inject
    async def handler(tasks: BackgroundTasks) -> None:
        tasks.add_task(other_task)

    @closing.inject
    async def warm_up(settings: Settings) -> None:
        pass

    await warm_up()
    with anyio.fail_after(BOUND / 2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(handler)
            await started.wait()
            await closing.aclose()
            events.append("container closed")
            release.set()
    assert events == ["settings closed", "container closed", "other container's task ran"]


def closing_from_a_finalizer(events: list[str]) -> Container:
    """A container whose request-scoped Stubborn closes the container from its finalizer."""
    c = Container(shutdown_grace=BOUND)
    with_app_settings(c, events)

    async def shutting_down() -> AsyncIterator[Stubborn]:
        yield Stubborn()
        await c.aclose()
        events.append("container closed from a finalizer")

    c.register(Stubborn, shutting_down)
    return c


async def test_a_finalizer_that_closes_the_container_does_not_wait_for_its_own_request() -> None:
    """A request's finalizer calling container.aclose() closes the app scope at once: the
    request it belongs to is not waited for (it could never end first)."""
    events: list[str] = []
    c = closing_from_a_finalizer(events)

    @c.inject
    async def handler(value: Stubborn, settings: Settings) -> None:
        pass

    with anyio.fail_after(BOUND / 2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(handler)
    assert events == ["settings closed", "container closed from a finalizer"]


async def test_a_request_closed_by_a_task_of_its_own_is_not_waited_for_by_its_finalizer(
    anyio_backend: str,
) -> None:
    """A request an adapter closes in a task of its own (asyncio's ``create_task`` or a
    trio nursery, whose task runs ``scope.aclose`` itself), whose finalizer calls
    container.aclose(): the app scope closes at once (the task closing the container is
    the one closing that request, which could never end first)."""
    events: list[str] = []
    c = closing_from_a_finalizer(events)
    scope = c.request()
    await scope.__aenter__()
    await scope.resolve(Stubborn)
    await scope.resolve(Settings)
    with anyio.fail_after(BOUND / 2):
        if anyio_backend == "asyncio":
            await asyncio.get_running_loop().create_task(scope.aclose())
        else:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(scope.aclose)
    assert events == ["settings closed", "container closed from a finalizer"]
