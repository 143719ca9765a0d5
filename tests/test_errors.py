"""Errors: raised before any provider runs, naming the chain and the fix."""

import sys
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest

from injectkit import (
    CircularDependencyError,
    Container,
    Depends,
    InjectionError,
    ScopeError,
    UnresolvableDependencyError,
)

pytestmark = pytest.mark.anyio


async def test_cycle_names_every_node() -> None:
    """A cycle through three providers names all three and draws the loop."""
    c = Container()

    class A:
        def __init__(self, b: "B") -> None: ...

    class B:
        def __init__(self, c: "C") -> None: ...

    class C:
        def __init__(self, a: A) -> None: ...

    for cls in (A, B, C):
        c.register(cls)
    ran: list[str] = []

    @c.inject
    async def handler(a: A) -> None:
        ran.append("handler")

    with pytest.raises(CircularDependencyError) as info:
        await handler()
    text = str(info.value)
    assert "A -> B -> C -> A" in text
    assert ran == []


async def test_self_cycle_through_depends() -> None:
    """A function that depends on itself is a cycle, not a RecursionError."""
    c = Container()
    ns: dict[str, Any] = {"Annotated": Annotated, "Depends": Depends}
    exec("def loop(x: Annotated[int, Depends(lambda: 0)]) -> int:\n    return x", ns)
    loop = ns["loop"]
    loop.__annotations__["x"] = Annotated[int, Depends(loop)]

    @c.inject
    async def handler(v: Annotated[int, Depends(loop)]) -> int:
        return v

    with pytest.raises(CircularDependencyError, match="loop -> loop"):
        await handler()


async def test_five_thousand_deep_chain_resolves() -> None:
    """A 5,000-deep chain of providers builds, validates and runs without recursion limits."""
    c = Container()
    depth = 5000
    types_ = [type(f"T{i}", (), {}) for i in range(depth)]

    def make(i: int) -> Any:
        if i == depth - 1:
            return lambda: types_[i]()

        def provider(dep: Any) -> Any:
            return types_[i]()

        provider.__annotations__ = {"dep": types_[i + 1], "return": types_[i]}
        return provider

    for i in range(depth):
        c.register(types_[i], make(i))

    async def handler(first: Any) -> Any:
        return first

    handler.__annotations__ = {"first": types_[0]}
    limit = sys.getrecursionlimit()
    assert limit < depth  # proves nothing recursed per node
    async with c.request() as scope:
        assert isinstance(await scope.call(handler), types_[0])
    c.validate(handler)
    view = c.graph(handler)
    assert len(view.nodes) == depth + 1
    # and as app-scoped singletons (built by the app-scope builder)
    c2 = Container()
    for i in range(depth):
        c2.register(types_[i], make(i), scope="app")
    async with c2.request() as scope:
        assert isinstance(await scope.call(handler), types_[0])


async def test_validate_reports_every_problem_at_once() -> None:
    """validate() lists each problem it finds, not only the first."""
    c = Container()

    class Missing:
        pass

    def needs_missing(m: Missing) -> int:
        return 1

    class Req:
        pass

    class Single:
        def __init__(self, r: Req) -> None: ...

    c.register(Req)
    c.register(Single, scope="app")

    @c.inject
    async def handler(x: Annotated[int, Depends(needs_missing)]) -> int:
        return x

    with pytest.raises(InjectionError) as info:
        c.validate()
    assert len(info.value.errors) == 2
    kinds = {type(e) for e in info.value.errors}
    assert kinds == {UnresolvableDependencyError, ScopeError}
    assert "2 problems" in str(info.value)


async def test_validate_is_quiet_for_a_good_graph() -> None:
    """A correct graph validates without running anything."""
    c = Container()
    ran: list[str] = []

    class S:
        def __init__(self) -> None:
            ran.append("S")

    c.register(S)

    @c.inject
    async def handler(s: S, email: str) -> None: ...

    c.validate()
    c.validate(handler)
    assert ran == []


def test_sync_call_refuses_async_provider_at_validation() -> None:
    """A sync injected function that reaches an async provider: InjectionError naming it."""
    c = Container()
    ran: list[str] = []

    async def fetch() -> AsyncIterator[int]:
        ran.append("fetch")
        yield 1

    def middle(x: Annotated[int, Depends(fetch)]) -> int:
        return x

    @c.inject
    def handler(v: Annotated[int, Depends(middle)]) -> int:
        return v

    with pytest.raises(InjectionError) as info:
        c.validate(handler)
    assert "fetch" in str(info.value) and "handler -> middle -> fetch" in str(info.value)
    with pytest.raises(InjectionError, match="fetch"):
        handler()
    assert ran == []


async def test_call_sync_on_async_function_is_refused() -> None:
    """call_sync of an async function says to await it."""
    c = Container()

    async def handler() -> None: ...

    with c.request() as scope, pytest.raises(InjectionError, match="await"):
        scope.call_sync(handler)


def test_non_callable_provider_is_refused() -> None:
    """register() with a non-callable provider explains how to register a value."""
    c = Container()
    with pytest.raises(InjectionError, match="not callable"):
        c.register(int, 5)  # type: ignore[arg-type]


def test_provider_without_return_annotation() -> None:
    """@provider on a function with no return annotation says what to do."""
    c = Container()
    with pytest.raises(InjectionError, match="no return annotation"):

        @c.provider
        def thing():  # type: ignore[no-untyped-def]
            return 1


async def test_async_generator_in_a_sync_scope_is_refused() -> None:
    """An async handler needing async generators inside a plain `with` scope is refused."""
    c = Container()

    async def res() -> AsyncIterator[int]:
        yield 1

    @c.inject
    async def handler(x: Annotated[int, Depends(res)]) -> int:
        return x

    with c.request(), pytest.raises(InjectionError, match="async with"):
        await handler()


async def test_errors_keep_structured_fields() -> None:
    """InjectionError carries path, requested and hint for tools."""
    c = Container()

    class Missing:
        pass

    def dep(m: Missing) -> int:
        return 1

    @c.inject
    async def handler(x: Annotated[int, Depends(dep)]) -> int:
        return x

    with pytest.raises(UnresolvableDependencyError) as info:
        await handler()
    err = info.value
    assert err.path == ("handler", "dep")
    assert err.requested == "m: Missing"
    assert err.hint and "register" in err.hint


def test_provider_returning_any_is_refused() -> None:
    """@provider on a function annotated `-> Any` is an InjectionError, not a TypeError."""
    c = Container()
    with pytest.raises(InjectionError, match="too general"):

        @c.provider
        def anything() -> Any:
            return 1


async def test_override_of_a_generic_alias_registration() -> None:
    """Overriding a type that is a generic alias works (no isinstance TypeError)."""
    c = Container()
    c.register(list[int], lambda: [1])

    async def handler(xs: list[int]) -> list[int]:
        return xs

    with c.override(list[int], lambda: [2]):
        async with c.request() as scope:
            assert await scope.call(handler) == [2]


async def test_user_mistakes_are_injection_errors() -> None:
    """Non-callable Depends, inject(5), unhashable override, bad context: InjectionErrors."""
    c = Container()

    @c.inject
    async def handler(x: Annotated[int, Depends(5)]) -> int:  # type: ignore[arg-type]
        return x

    with pytest.raises(InjectionError, match="handler is marked Depends") as info:
        await handler()
    assert info.value.path == ("handler",)
    with pytest.raises(InjectionError, match="needs a function"):
        c.inject(5)  # type: ignore[arg-type]
    with (
        pytest.raises(InjectionError, match=r"it is not\nhashable \(TypeError"),
        c.override([1], 2),
    ):
        pass  # pragma: no cover
    with pytest.raises(InjectionError, match="mapping of types"):
        c.request(context=[1, 2])  # type: ignore[arg-type]
