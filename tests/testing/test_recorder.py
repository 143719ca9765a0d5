"""``record``: providers run, finalizers run and tasks queued, with tasks captured or run."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import anyio
import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.testing import Recorder, queued, record

pytestmark = pytest.mark.anyio


class Settings:
    pass


class Session:
    pass


class Request:
    """What an adapter would put in the request context."""

    def __init__(self, path: str) -> None:
        self.path = path


def build(log: list[str]) -> tuple[Container, object]:
    """The seed's tutorial002 plus an app-scoped Settings and a request-scoped Session."""
    container = Container()

    @container.provider(scope="app")
    def settings() -> Settings:
        return Settings()

    @container.provider
    async def session(settings: Settings) -> AsyncIterator[Session]:
        yield Session()

    def write_log(message: str) -> None:
        log.append(message)

    def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
        if q:
            background_tasks.add_task(write_log, f"found query: {q}\n")
        return q

    @container.inject
    async def send_notification(
        email: str,
        background_tasks: BackgroundTasks,
        q: Annotated[str | None, Depends(get_query)],
        db: Session,
    ) -> dict[str, str]:
        background_tasks.add_task(write_log, f"message to {email}\n")
        return {"message": "Message sent"}

    container.write_log = write_log  # type: ignore[attr-defined]
    return container, send_notification


async def test_records_providers_finalizers_and_captures_tasks() -> None:
    """The recorder lists what ran and what was queued, and the tasks do not run."""
    log: list[str] = []
    container, send_notification = build(log)
    write_log = container.write_log  # type: ignore[attr-defined]
    async with record(container) as rec:
        assert await send_notification("a@b.c", q="x") == {"message": "Message sent"}  # type: ignore[operator]
    assert rec.providers == ["get_query", "session"]
    assert rec.finalizers == ["session"]
    assert rec.tasks == [
        queued(write_log, "found query: x\n"),
        queued(write_log, "message to a@b.c\n"),
    ]
    assert [e.kind for e in rec.events] == ["provider", "task", "provider", "task", "finalizer"]
    assert log == []
    assert str(rec) == (
        "providers: get_query, session\n"
        "finalizers: session\n"
        "tasks (captured): write_log('found query: x\\n'), write_log('message to a@b.c\\n')"
    )


async def test_run_mode_runs_the_tasks_and_still_lists_them() -> None:
    """tasks="run" lets the tasks run when the block ends, after recording them."""
    log: list[str] = []
    container, send_notification = build(log)
    async with record(container, tasks="run") as rec:
        await send_notification("a@b.c")  # type: ignore[operator]
        assert log == []  # tasks run after the response, i.e. when the scope closes
    assert log == ["message to a@b.c\n"]
    assert len(rec.tasks) == 1


async def test_failed_block_shows_the_error_thrown_into_finalizers() -> None:
    """When the block raises, the finalizer event carries the exception; tasks are dropped."""
    log: list[str] = []
    container, send_notification = build(log)
    with pytest.raises(RuntimeError):
        async with record(container, tasks="run") as rec:
            await send_notification("a@b.c")  # type: ignore[operator]
            raise RuntimeError("handler failed")
    finalizer = [e for e in rec.events if e.kind == "finalizer"]
    assert [(e.name, type(e.error)) for e in finalizer] == [("session", RuntimeError)]
    assert log == []


async def test_scopes_opened_by_an_adapter_inside_the_block_report_too() -> None:
    """A scope opened with container.request() (as adapters do) is captured like the block's."""
    log: list[str] = []
    container, _ = build(log)
    write_log = container.write_log  # type: ignore[attr-defined]

    def endpoint(request: Request, tasks: BackgroundTasks) -> str:
        tasks.add_task(write_log, request.path)
        return "ok"

    async def adapter(path: str) -> str:
        request = Request(path)
        async with container.request(context={Request: request}) as scope:
            return await scope.call(endpoint)  # type: ignore[no-any-return]

    async with record(container) as rec:
        assert await adapter("/hello") == "ok"
    assert rec.tasks == [queued(write_log, "/hello")]
    assert log == []
    assert "request" not in vars(container)  # the tap is gone with the recorder
    assert await adapter("/after") == "ok"
    assert log == ["/after"]


async def test_local_recorder_does_not_see_other_tasks() -> None:
    """A local recorder ignores requests made by a task that was running before it started."""
    log: list[str] = []
    container, send_notification = build(log)
    write_log = container.write_log  # type: ignore[attr-defined]
    recording, done = anyio.Event(), anyio.Event()

    async def other_request() -> None:
        await recording.wait()
        async with container.request() as scope:
            scope.background_tasks.add_task(write_log, "other")
        done.set()

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(other_request)
            async with record(container, local=True) as rec:
                recording.set()
                await done.wait()
                await send_notification("mine")  # type: ignore[operator]
    assert rec.tasks == [queued(write_log, "message to mine\n")]
    assert log == ["other"]


async def test_app_scoped_providers_are_left_alone_unless_asked() -> None:
    """By default an app singleton is neither recorded nor rebuilt; app=True records it."""
    container = Container()
    made: list[Settings] = []

    @container.provider(scope="app")
    def settings() -> Settings:
        made.append(Settings())
        return made[-1]

    @container.inject
    async def handler(settings: Settings) -> Settings:
        return settings

    first = await handler()
    async with record(container) as rec:
        assert await handler() is first
    assert rec.providers == []
    async with record(container, app=True) as rec:
        inside = await handler()
    assert rec.providers == ["settings"]
    assert inside is not first  # watching it meant building it anew
    assert await handler() is first


async def test_roots_bring_in_dependencies_of_plain_functions() -> None:
    """Depends targets of a function that is not decorated are found when it is a root."""
    container = Container()

    def get_greeting() -> str:
        return "hi"

    async def plain(greeting: Annotated[str, Depends(get_greeting)]) -> str:
        return greeting

    async with record(container, plain) as rec:
        assert await rec.scope.call(plain) == "hi"
    assert rec.providers == ["get_greeting"]


def test_sync_recorder_with_a_sync_handler() -> None:
    """`with record(...)` opens a sync scope; tasks queued by sync code are captured."""
    container = Container()
    ran: list[str] = []

    def note(text: str) -> None:
        ran.append(text)

    @container.provider
    def session() -> Iterator[Session]:
        yield Session()

    @container.inject
    def handler(db: Session, tasks: BackgroundTasks) -> str:
        tasks.add_task(note, "done")
        return "ok"

    with record(container) as rec:
        assert handler() == "ok"
    assert rec.providers == ["session"] and rec.finalizers == ["session"]
    assert rec.tasks == [queued(note, "done")] and ran == []


async def test_recorded_providers_misbehave_exactly_as_unrecorded_ones() -> None:
    """Swallowing an error, yielding twice or never yielding: reported under the provider's name."""
    container = Container()

    class Swallowed:
        pass

    class Twice:
        pass

    class Never:
        pass

    @container.provider
    def swallowing() -> Iterator[Swallowed]:
        try:
            yield Swallowed()
        except ValueError:
            pass

    @container.provider
    async def twice() -> AsyncIterator[Twice]:
        yield Twice()
        yield Twice()

    @container.provider
    def never() -> Iterator[Never]:
        if False:
            yield Never()

    @container.inject
    async def fails(value: Swallowed) -> None:
        raise ValueError("original")

    @container.inject
    async def uses_twice(value: Twice) -> None:
        pass

    @container.inject
    async def uses_never(value: Never) -> None:
        pass

    for recording in (False, True):
        with pytest.warns(RuntimeWarning, match="swallowing swallowed ValueError"):
            with pytest.raises(ValueError, match="original"):
                if recording:
                    async with record(container):
                        await fails()
                else:
                    await fails()
        with pytest.raises(InjectionError, match="twice yielded more than once"):
            if recording:
                async with record(container):
                    await uses_twice()
            else:
                await uses_twice()
        with pytest.raises(InjectionError, match="never finished without yielding"):
            if recording:
                async with record(container):
                    await uses_never()
            else:
                await uses_never()


async def test_a_recorder_records_one_block() -> None:
    """Entering a recorder twice is an InjectionError that says to make a new one."""
    container = Container()
    rec = record(container)
    async with rec:
        pass
    with pytest.raises(InjectionError, match="already been used"):
        async with rec:
            pass


def test_unknown_task_mode_is_an_error() -> None:
    """record(tasks=...) accepts "capture" and "run" only, and says so."""
    with pytest.raises(InjectionError, match='tasks="capture"'):
        record(Container(), tasks="skip")  # type: ignore[arg-type]


async def test_concurrent_local_recorders_keep_their_own_requests() -> None:
    """Two tasks recording at once (local=True) each see only what their own calls did."""
    log: list[str] = []
    container, send_notification = build(log)
    write_log = container.write_log  # type: ignore[attr-defined]
    both_recording = [anyio.Event(), anyio.Event()]
    recorders: dict[str, Recorder] = {}

    async def one(index: int, email: str) -> None:
        async with record(container, local=True) as rec:
            both_recording[index].set()
            for event in both_recording:
                await event.wait()
            await send_notification(email)  # type: ignore[operator]
        recorders[email] = rec

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(one, 0, "a@x")
            tg.start_soon(one, 1, "b@x")
    for email, rec in recorders.items():
        assert rec.tasks == [queued(write_log, f"message to {email}\n")]
        assert rec.providers == ["get_query", "session"]
    assert log == []
