"""Providers that are not plain functions or classes: a ``functools.partial`` and a
callable instance are named in errors as ``partial(func)`` and ``Class()``, and are
called the way their target is (awaited when it is async); an object that cannot name
itself is shown by its repr."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import pytest

from injectkit import Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


class Mailer:
    def __init__(self, host: Host) -> None:
        self.host = host


class Host:
    def __init__(self, name: str) -> None:
        self.name = name


def make_greeting(prefix: str, mailer: Mailer) -> str:
    return prefix


class Counter:
    def __call__(self, start: str) -> int:
        return int(start)


class Fetch:
    async def __call__(self, url: str) -> str:
        return f"fetched {url}"


class Shapeless:
    """Not callable, and its ``__qualname__`` is not a name (a proxy may forward it)."""

    def __getattr__(self, name: str) -> Any:
        if name == "__qualname__":
            return 42
        raise AttributeError(name)

    def __repr__(self) -> str:
        return "<shapeless>"


def test_a_partial_provider_is_named_after_the_function_it_wraps() -> None:
    """An error in a partial's dependencies names it ``partial(make_greeting)`` in the
    message and the chain."""
    c = Container()

    @c.inject
    def handler(
        greeting: Annotated[str, Depends(functools.partial(make_greeting, "hello"))],
    ) -> str:
        return greeting

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    assert raised.value.path == ("handler", "partial(make_greeting)")
    assert "nothing provides `mailer` to partial(make_greeting)" in str(raised.value)


def test_a_callable_instance_is_named_after_its_class() -> None:
    """A callable instance used as a provider is named ``Counter()`` in errors."""
    c = Container()

    @c.inject
    def handler(count: Annotated[int, Depends(Counter(), scope="app")], start: str) -> int:
        return count

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    assert raised.value.path == ("handler", "Counter()")
    assert str(raised.value).startswith("Counter() is app-scoped")


def test_a_class_and_a_method_are_named_as_written() -> None:
    """A class provider is named by its class name (not ``type()``), a bound method by
    ``Class.method``; neither keeps the ``<locals>`` of a test function."""

    class Settings:
        def __init__(self, mailer: Mailer) -> None:
            self.mailer = mailer

    class Factory:
        def settings(self, mailer: Mailer) -> Settings:
            return Settings(mailer)

    for provider, name in [(Settings, "Settings"), (Factory().settings, "Factory.settings")]:
        c = Container()

        @c.inject
        def handler(value: Annotated[Settings, Depends(provider)]) -> Settings:
            return value

        with pytest.raises(InjectionError) as raised:
            c.validate(handler)
        assert raised.value.path == ("handler", name)


def test_an_object_without_a_name_is_shown_by_its_repr() -> None:
    """A non-callable provider whose ``__qualname__`` is not a string: the error shows
    its repr rather than failing while describing it."""

    class Settings:
        pass

    with pytest.raises(InjectionError) as raised:
        Container().register(Settings, Shapeless())
    assert raised.value.message == "register(Settings): the provider <shapeless> is not callable."


async def test_a_partial_of_an_async_callable_instance_is_awaited() -> None:
    """``functools.partial(Fetch(), ...)``, whose instance's ``__call__`` is async, gives
    the awaited value."""
    c = Container()

    @c.inject
    async def handler(page: Annotated[str, Depends(functools.partial(Fetch(), "/a"))]) -> str:
        return page

    assert await handler() == "fetched /a"


def test_a_partial_of_a_class_is_called_for_its_instance() -> None:
    """``functools.partial(Host, name)`` builds the instance (a class is a sync provider)."""
    c = Container()

    @c.inject
    def handler(host: Annotated[Host, Depends(functools.partial(Host, "example.org"))]) -> str:
        return host.name

    assert handler() == "example.org"


class Greeter:
    def __call__(self, *args: Any, **kwargs: Any) -> str:
        return f"hello {len(args)} {sorted(kwargs)}"


def test_a_callable_instance_taking_only_args_and_kwargs_is_called_with_nothing() -> None:
    """A callable instance whose ``__call__`` takes ``*args, **kwargs`` only: it needs
    nothing, so it is called with nothing."""
    c = Container()

    @c.inject
    def handler(greeting: Annotated[str, Depends(Greeter())]) -> str:
        return greeting

    assert handler() == "hello 0 []"
