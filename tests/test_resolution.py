"""How parameters are resolved: markers, context, registrations, free parameters."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest

from injectkit import (
    BackgroundTasks,
    Container,
    Depends,
    InjectionError,
    UnresolvableDependencyError,
    inject,
)

pytestmark = pytest.mark.anyio


class Settings:
    def __init__(self) -> None:
        self.dsn = "sqlite://"


class Repo:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def get_value() -> int:
    return 41


def get_name() -> str:
    return "bob"


def plus_one(value: Annotated[int, Depends(get_value)]) -> int:
    return value + 1


async def test_annotated_marker_and_default_marker() -> None:
    """Depends works in Annotated[...] and as a default value."""
    c = Container()

    @c.inject
    async def handler(
        a: Annotated[int, Depends(get_value)], b: int = Depends(plus_one)
    ) -> tuple[int, int]:
        return a, b

    assert await handler() == (41, 42)


async def test_depends_without_argument_calls_the_annotated_class() -> None:
    """Depends() with no dependency calls the annotated type, resolving its __init__."""
    c = Container()
    c.register(Settings)

    @c.inject
    async def handler(repo: Annotated[Repo, Depends()]) -> Repo:
        return repo

    repo = await handler()
    assert isinstance(repo, Repo) and isinstance(repo.settings, Settings)


async def test_sub_dependencies_to_any_depth() -> None:
    """Sub-dependencies of sub-dependencies resolve."""
    c = Container()

    def a() -> str:
        return "a"

    def b(x: Annotated[str, Depends(a)]) -> str:
        return x + "b"

    async def d(x: Annotated[str, Depends(b)]) -> str:
        return x + "d"

    @c.inject
    async def handler(x: Annotated[str, Depends(d)]) -> str:
        return x

    assert await handler() == "abd"


async def test_every_kind_of_callable_is_a_dependency() -> None:
    """Functions, async functions, classes, callable instances, partials, bound methods."""
    c = Container()

    class Greeter:
        def __init__(self, greeting: str = "hi") -> None:
            self.greeting = greeting

        def __call__(self, name: Annotated[str, Depends(get_name)]) -> str:
            return f"{self.greeting} {name}"

        def method(self, suffix: str = "!") -> str:
            return self.greeting + suffix

    def join(sep: str, value: Annotated[int, Depends(get_value)]) -> str:
        return f"{sep}{value}"

    async def async_dep() -> str:
        return "async"

    greeter = Greeter("hello")

    @c.inject
    async def handler(
        a: Annotated[str, Depends(greeter)],
        b: Annotated[str, Depends(functools.partial(join, "#"))],
        m: Annotated[str, Depends(greeter.method)],
        s: Annotated[str, Depends(async_dep)],
        g: Annotated[Greeter, Depends(Greeter)],
    ) -> list[Any]:
        return [a, b, m, s, g.greeting]

    assert await handler() == ["hello bob", "#41", "hello!", "async", "hi"]


async def test_generators_sync_and_async() -> None:
    """Sync and async generator dependencies give their yielded value."""
    c = Container()

    def gen() -> Iterator[int]:
        yield 1

    async def agen() -> AsyncIterator[int]:
        yield 2

    @c.inject
    async def handler(a: Annotated[int, Depends(gen)], b: Annotated[int, Depends(agen)]) -> int:
        return a + b

    assert await handler() == 3


async def test_registered_types_by_annotation() -> None:
    """A parameter whose type is registered gets the registered provider's value."""
    c = Container()
    c.register(Settings, scope="app")
    c.register(Repo)

    @c.inject
    async def handler(repo: Repo, settings: Settings) -> bool:
        return repo.settings is settings

    assert await handler() is True


async def test_provider_decorator_with_and_without_parentheses() -> None:
    """@provider works bare and with options, and unwraps Iterator[T]."""
    c = Container()

    @c.provider
    def settings() -> Settings:
        return Settings()

    @c.provider(scope="request")
    def repo(settings: Settings) -> Iterator[Repo]:
        yield Repo(settings)

    @c.inject
    async def handler(repo: Repo) -> str:
        return repo.settings.dsn

    assert await handler() == "sqlite://"


async def test_context_comes_before_registrations() -> None:
    """A type in the request context wins over a registration of the same type."""
    c = Container()
    c.register(Settings)
    mine = Settings()

    async def handler(settings: Settings) -> Settings:
        return settings

    async with c.request(context={Settings: mine}) as scope:
        assert await scope.call(handler) is mine
    async with c.request() as scope:
        assert await scope.call(handler) is not mine


async def test_marker_comes_before_registration() -> None:
    """An explicit Depends wins over the registration of the annotated type."""
    c = Container()
    c.register(Settings)
    special = Settings()

    def make() -> Settings:
        return special

    @c.inject
    async def handler(s: Annotated[Settings, Depends(make)]) -> Settings:
        return s

    assert await handler() is special


async def test_free_parameters_by_position_and_keyword() -> None:
    """Positional arguments bind to the handler's free parameters, in order."""
    c = Container()

    @c.inject
    async def handler(a: int, tasks: BackgroundTasks, b: str = "x", *, c_: int = 3) -> Any:
        return a, b, c_

    assert await handler(1) == (1, "x", 3)
    assert await handler(1, "y") == (1, "y", 3)
    assert await handler(a=2, b="z", c_=4) == (2, "z", 4)


async def test_keywords_reach_sub_dependencies() -> None:
    """A keyword of the outermost call is offered to every free parameter of that name."""
    c = Container()

    def get_query(q: str | None = None) -> str | None:
        return q

    @c.inject
    async def handler(q: Annotated[str | None, Depends(get_query)]) -> str | None:
        return q

    assert await handler(q="x") == "x"
    assert await handler() is None


async def test_positional_value_reaches_sub_dependency_of_same_name() -> None:
    """A positional value becomes a named value every free parameter of that name sees."""
    c = Container()

    def echo(email: str) -> str:
        return email.upper()

    @c.inject
    async def handler(email: str, shout: Annotated[str, Depends(echo)]) -> str:
        return f"{email} {shout}"

    assert await handler("a@b") == "a@b A@B"


async def test_caller_cannot_replace_an_injected_parameter() -> None:
    """Passing an injected parameter's name is an error listing the accepted names."""
    c = Container()

    @c.inject
    async def handler(email: str, v: Annotated[int, Depends(get_value)]) -> int:
        return v

    with pytest.raises(InjectionError) as info:
        await handler("e", v=3)
    message = str(info.value)
    assert "unexpected keyword argument(s) v:" in message
    assert "email" in message  # the names that would be accepted


async def test_too_many_positionals_and_duplicates() -> None:
    """Extra positionals and a value given twice are InjectionErrors, not TypeErrors."""
    c = Container()

    @c.inject
    async def handler(a: int) -> int:
        return a

    with pytest.raises(InjectionError, match="positional"):
        await handler(1, 2)
    with pytest.raises(InjectionError, match="multiple values"):
        await handler(1, a=2)


async def test_missing_free_value_names_function_parameter_and_annotation() -> None:
    """A free parameter with no value and no default: UnresolvableDependencyError."""
    c = Container()
    ran = []

    def first() -> int:
        ran.append("first")
        return 1

    def needs(user_id: int) -> int:
        return user_id

    @c.inject
    async def handler(a: Annotated[int, Depends(first)], b: Annotated[int, Depends(needs)]) -> int:
        return a + b

    with pytest.raises(UnresolvableDependencyError) as info:
        await handler()
    assert "user_id: int" in str(info.value) and "needs" in str(info.value)
    assert "handler -> needs" in str(info.value)
    assert ran == []  # raised before any provider ran


async def test_unregistered_service_in_sub_dependency_is_unresolvable() -> None:
    """A sub-dependency asking for an unregistered class names the chain and the fix."""
    c = Container()

    class Session:
        pass

    def get_db(session: Session) -> int:
        return 1

    def get_user(db: Annotated[int, Depends(get_db)]) -> int:
        return db

    @c.inject
    async def handler(user: Annotated[int, Depends(get_user)]) -> int:
        return user

    with pytest.raises(UnresolvableDependencyError) as info:
        c.validate(handler)
    text = str(info.value)
    assert "handler -> get_user -> get_db" in text
    assert "register" in text


def test_sync_injected_function_stays_sync() -> None:
    """inject keeps a sync function sync, with its name, doc and signature."""
    c = Container()

    @c.inject
    def handler(a: int, v: Annotated[int, Depends(get_value)]) -> int:
        """Doc."""
        return a + v

    assert handler(1) == 42
    assert not inspect.iscoroutinefunction(handler)
    assert handler.__name__ == "handler" and handler.__doc__ == "Doc."
    assert list(inspect.signature(handler).parameters) == ["a", "v"]


async def test_async_injected_function_stays_async() -> None:
    """inject keeps an async function a coroutine function."""
    c = Container()

    @c.inject
    async def handler() -> int:
        return 1

    assert inspect.iscoroutinefunction(handler)
    assert await handler() == 1


async def test_module_level_inject_uses_default_container() -> None:
    """injectkit.inject resolves from injectkit.default_container."""
    import injectkit

    class Marker:
        pass

    injectkit.default_container.register(Marker)

    @inject
    async def handler(m: Marker) -> Marker:
        return m

    assert isinstance(await handler(), Marker)


async def test_forward_references_with_future_annotations() -> None:
    """String annotations (from __future__ import annotations) are evaluated."""
    c = Container()
    c.register(Settings)

    @c.inject
    async def handler(s: Settings, v: Annotated[int, Depends(get_value)]) -> int:
        return v

    assert await handler() == 41


async def test_unevaluable_annotation_is_an_injection_error() -> None:
    """An annotation naming something undefined is an InjectionError naming it."""
    c = Container()
    ns: dict[str, Any] = {}
    exec("def dep(x: 'Nope') -> int:\n    return 1", ns)

    @c.inject
    async def handler(v: Annotated[int, Depends(ns["dep"])]) -> int:
        return v

    with pytest.raises(InjectionError, match="Nope"):
        await handler()


async def test_resolve_and_call_on_a_scope() -> None:
    """scope.resolve gives a registered value; scope.call injects any function."""
    c = Container()
    c.register(Settings)
    c.register(Repo)

    def plain(repo: Repo, x: int) -> int:
        return x

    async with c.request() as scope:
        repo = await scope.resolve(Repo)
        assert await scope.resolve(Settings) is repo.settings
        assert await scope.call(plain, x=3) == 3
        assert isinstance(await scope.resolve(BackgroundTasks), BackgroundTasks)
    with c.request() as scope:
        assert scope.resolve_sync(Repo) is scope.resolve_sync(Repo)
        assert scope.call_sync(plain, 5) == 5


async def test_resolving_an_unregistered_type_is_unresolvable() -> None:
    """resolve(T) of an unknown type names it."""
    c = Container()
    async with c.request() as scope:
        with pytest.raises(UnresolvableDependencyError, match="Settings"):
            await scope.resolve(Settings)


async def test_injected_function_as_dependency_uses_the_original() -> None:
    """An injected function used in Depends becomes a node of the graph."""
    c = Container()

    @c.inject
    async def inner(v: Annotated[int, Depends(get_value)]) -> int:
        return v * 2

    @c.inject
    async def outer(x: Annotated[int, Depends(inner)]) -> int:
        return x

    assert await outer() == 82
    assert [node.label for node in c.graph(outer).nodes] == ["outer", "inner", "get_value"]


async def test_registration_after_decoration_is_seen() -> None:
    """Plans are built at first call, and rebuilt when registrations change."""
    c = Container()

    @c.inject
    async def handler(s: Settings) -> str:
        return s.dsn

    class Other(Settings):
        def __init__(self) -> None:
            self.dsn = "other"

    c.register(Settings)
    assert await handler() == "sqlite://"
    c.register(Settings, Other)
    assert await handler() == "other"


async def test_unhashable_callable_object_can_be_called_in_a_scope() -> None:
    """scope.call accepts a callable object that is not hashable (no bare TypeError)."""
    c = Container()

    class Handler:
        __hash__ = None  # type: ignore[assignment]

        def __eq__(self, other: object) -> bool:
            return False

        def __call__(self, x: int = 1) -> int:
            return x

    handler = Handler()
    async with c.request() as scope:
        assert await scope.call(handler, x=3) == 3
        assert await scope.call(handler) == 1
