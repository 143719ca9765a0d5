"""register(..., scope="function") and @provider(scope="function") work like
Depends(..., scope="function"): built per injected call, finalized when it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from injectkit import Container, InjectionError, ScopeError

pytestmark = pytest.mark.anyio


class Session:
    pass


class Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


def recording_session(events: list[str]) -> Callable[[], Iterator[Session]]:
    def open_session() -> Iterator[Session]:
        events.append("opened")
        try:
            yield Session()
        except Exception as exc:
            events.append(f"rolled back after {type(exc).__name__}")
            raise
        events.append("committed")

    return open_session


async def test_a_function_scoped_registration_closes_when_the_call_returns() -> None:
    """Inside an open request, its finalizer runs as the injected call returns."""
    c = Container()
    events: list[str] = []
    c.register(Session, recording_session(events), scope="function")

    @c.inject
    async def handler(session: Session) -> str:
        events.append("handler")
        return "done"

    async with c.request():
        assert await handler() == "done"
        events.append("response sent")
        assert await handler() == "done"
    first_call = ["opened", "handler", "committed"]
    assert events == [*first_call, "response sent", *first_call]


async def test_provider_decorator_accepts_function_scope() -> None:
    """@provider(scope="function") gives each call its own value, shared within the call."""
    c = Container()
    made: list[Session] = []

    @c.provider(scope="function")
    async def session() -> AsyncIterator[Session]:
        made.append(Session())
        yield made[-1]

    @c.inject
    async def handler(s: Session, repo: Repo) -> bool:
        return repo.session is s

    c.register(Repo, scope="transient")
    async with c.request():
        assert await handler() is True
        assert await handler() is True
    assert len(made) == 2


def test_a_function_scoped_finalizer_sees_the_handlers_error() -> None:
    """A handler that raises: the error is thrown into the finalizer (rollback), as for Depends."""
    c = Container()
    events: list[str] = []
    c.register(Session, recording_session(events), scope="function")

    @c.inject
    def handler(session: Session) -> None:
        raise LookupError("no such note")

    with pytest.raises(LookupError), c.request():
        handler()
    assert events == ["opened", "rolled back after LookupError"]


def test_a_request_scoped_value_may_not_need_a_function_scoped_one() -> None:
    """Lifetimes nest: request-scoped Repo needing function-scoped Session is a ScopeError."""
    c = Container()
    c.register(Session, scope="function")
    c.register(Repo)

    @c.inject
    def handler(repo: Repo) -> None:
        return None

    with pytest.raises(ScopeError, match="Repo is request-scoped but depends on Session"):
        c.validate()


async def test_resolve_refuses_a_function_scoped_generator() -> None:
    """resolve() has no call to live through: a function-scoped teardown is refused."""
    c = Container()
    c.register(Session, recording_session([]), scope="function")
    async with c.request() as scope:
        with pytest.raises(ScopeError, match="teardown would run before resolve"):
            await scope.resolve(Session)


def test_register_names_every_accepted_scope() -> None:
    """A wrong scope name lists all four that register() accepts."""
    with pytest.raises(InjectionError, match="'app', 'request', 'function', 'transient'"):
        Container().register(Session, scope="call")
