"""The errors of the checks run on a whole graph: every async provider under a sync call,
and resolve() of a function-scoped generator; their text and structured fields."""

from collections.abc import AsyncIterator, Iterator

import pytest

from injectkit import Container, InjectionError, ScopeError

pytestmark = pytest.mark.anyio


class Settings:
    pass


class Cache:
    pass


class Session:
    pass


def test_a_sync_call_names_every_async_provider_after_a_sync_one() -> None:
    """A sync handler reaching two async providers (after a sync one) gets one error each."""
    c = Container()

    @c.provider
    def settings() -> Settings:
        return Settings()

    @c.provider
    async def cache() -> Cache:
        return Cache()

    @c.provider
    async def session() -> AsyncIterator[Session]:
        yield Session()

    @c.inject
    def handler(settings: Settings, cache: Cache, session: Session) -> None:
        pass

    with pytest.raises(InjectionError) as raised:
        handler()
    found = [(e.message, e.path, e.requested) for e in raised.value.errors]
    assert found == [
        (
            "cache is an async provider, but handler is resolved synchronously.",
            ("handler", "cache"),
            "cache",
        ),
        (
            "session is an async generator provider, but handler is resolved synchronously.",
            ("handler", "session"),
            "session",
        ),
    ]


RESOLVE_REFUSAL = """\
resolve(Session) needs session, a function-scoped
generator provider: its teardown would run before resolve() returns the value.
  chain: resolve(Session) -> session
  hint: take it as a parameter of an injected function (it then lives until that
        function returns), or make session request-scoped."""


def function_scoped_session() -> Container:
    c = Container()

    @c.provider(scope="function")
    def session() -> Iterator[Session]:
        yield Session()

    return c


async def test_resolve_of_a_function_scoped_generator_says_why_and_what_to_do() -> None:
    """The ScopeError names the provider, its scope and both ways out, before it runs."""
    async with function_scoped_session().request() as scope:
        with pytest.raises(ScopeError) as raised:
            await scope.resolve(Session)
    error = raised.value
    assert str(error) == RESOLVE_REFUSAL
    assert (error.path, error.requested, error.scope) == (
        ("resolve(Session)", "session"),
        "session",
        "function",
    )


def test_resolve_sync_of_a_function_scoped_generator_is_refused_the_same_way() -> None:
    """resolve_sync() refuses it with the same error."""
    with function_scoped_session().request() as scope:
        with pytest.raises(ScopeError) as raised:
            scope.resolve_sync(Session)
    assert str(raised.value) == RESOLVE_REFUSAL
    assert raised.value.requested == "session"
