"""What ``@container.provider``, ``@container.inject`` and ``resolve`` do with their
arguments."""

from __future__ import annotations

import threading

import pytest

from injectkit import Container, InjectionError

pytestmark = pytest.mark.anyio


class Base:
    """What handlers ask for."""


class Impl(Base):
    """What the provider builds."""


async def test_provider_provides_registers_under_the_given_type() -> None:
    """provides=Base: the provider annotated -> Impl answers for Base."""
    c = Container()

    @c.provider(provides=Base)
    def make() -> Impl:
        return Impl()

    @c.inject
    async def handler(value: Base) -> Base:
        return value

    assert type(await handler()) is Impl


async def test_provider_offload_runs_a_sync_provider_in_a_worker_thread() -> None:
    """offload=True: an async handler's sync provider runs off the event loop's thread."""
    c = Container()
    threads: list[int] = []

    @c.provider(offload=True)
    def make() -> Impl:
        threads.append(threading.get_ident())
        return Impl()

    @c.inject
    async def handler(value: Impl) -> Impl:
        return value

    await handler()
    assert threads and threads[0] != threading.get_ident()


def test_inject_of_something_not_callable_says_what_it_got_and_what_to_decorate() -> None:
    """container.inject(42): an InjectionError naming 42 and the fix."""
    with pytest.raises(InjectionError) as raised:
        Container().inject(42)  # type: ignore[call-overload]
    text = " ".join(str(raised.value).split())
    assert text.startswith("inject() needs a function, got 42.")
    assert "hint: decorate a def or async def with @container.inject." in text


def test_resolving_something_that_is_not_a_type_names_it_and_the_fix() -> None:
    """resolve([1]) (not a type, not hashable): an InjectionError with its chain and hint."""
    c = Container()
    with c.request() as scope, pytest.raises(InjectionError) as raised:
        scope.resolve_sync([1])  # type: ignore[arg-type]
    error = raised.value
    assert " ".join(str(error).split()) == (
        "resolve([1]): [1] is not a type, so nothing can be registered for it "
        "(TypeError: unhashable type: 'list'). chain: resolve([1]) "
        "hint: resolve a registered class (or NewType), e.g. resolve(Session)."
    )
    assert (error.path, error.requested) == (("resolve([1])",), "[1]")
    assert isinstance(error.__cause__, TypeError)


def test_resolve_under_a_local_override_does_not_reuse_the_plan_made_without_it() -> None:
    """resolve(Base) before, inside and after override(Base, fake, local=True)."""
    c = Container()
    c.register(Base, Impl)
    fake = Base()
    with c.request() as scope:
        assert type(scope.resolve_sync(Base)) is Impl
    with c.override(Base, fake, local=True), c.request() as scope:
        assert scope.resolve_sync(Base) is fake
    with c.request() as scope:
        assert type(scope.resolve_sync(Base)) is Impl
