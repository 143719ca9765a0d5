"""Static typing of the public API, checked by `mypy --strict tests/typing` in CI.

Nothing here runs: mypy reads it.  An expected error is written with a specific
`type: ignore[...]`; with `warn_unused_ignores` (part of --strict) the check fails if the
error disappears, so the line proves the checker rejects the mistake.
"""

from collections.abc import Iterator
from typing import Annotated, assert_type

from injectkit import BackgroundTasks, Container, Depends, Scope, inject

container = Container()


class Session:
    pass


@container.provider(scope="request")
def session() -> Iterator[Session]:
    yield Session()


def write_log(message: str, *, level: int = 0) -> None: ...


async def async_task(count: int) -> None: ...


def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
    tasks.add_task(write_log, "found", level=1)
    tasks.add_task(async_task, 3)
    tasks.add_task(write_log, 42)  # type: ignore[arg-type]
    tasks.add_task(async_task, "three")  # type: ignore[arg-type]
    return q


@container.inject
async def send_notification(
    email: str,
    tasks: BackgroundTasks,
    q: Annotated[str | None, Depends(get_query)],
    db: Session,
) -> dict[str, str]:
    return {"message": email}


@container.inject
def sync_handler(x: int, q: Annotated[str | None, Depends(get_query)]) -> int:
    return x


@inject
async def on_default(x: int) -> float:
    return 1.0


async def callers() -> None:
    # Injected parameters are not passed: only the free ones.
    assert_type(await send_notification("a@b.c", q="x"), dict[str, str])
    assert_type(sync_handler(1), int)
    assert_type(await on_default(1), float)
    async with container.request() as scope:
        assert_type(await scope.resolve(Session), Session)
    with container.request() as sync_scope:
        assert_type(sync_scope.resolve_sync(Session), Session)
        assert_type(sync_scope.call_sync(sync_handler, 1), int)


scope_value: Scope = Scope.APP
Depends(get_query, use_cache=False, scope="function")


async def provider_calls() -> None:
    # call_provider with the container first, or (in a plugin test) without it.
    from injectkit.testing import call_provider, call_provider_sync

    assert_type(await call_provider(container, session), Session)
    assert_type(await call_provider(session), Session)
    assert_type(await call_provider(Session, {Session: Session()}), Session)
    assert_type(call_provider_sync(session), Session)
    assert_type(call_provider_sync(get_query, q="x"), str | None)
