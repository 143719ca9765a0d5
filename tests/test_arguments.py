"""What a call may pass: *args and **kwargs on an injected function, and the errors for
keywords nothing takes (design §3)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import pytest

from injectkit import Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


class Session:
    pass


def get_db() -> Session:
    return Session()


def get_token(x_token: str = "anonymous") -> str:
    return x_token


Token = Annotated[str, Depends(get_token)]
DB = Annotated[Session, Depends(get_db)]


async def test_extra_positional_arguments_go_to_the_handlers_star_args() -> None:
    """Positional arguments beyond the handler's own free parameters fill its *args."""
    c = Container()

    @c.inject
    async def handler(first: int, db: DB, *rest: int) -> tuple[int, bool, tuple[int, ...]]:
        return first, isinstance(db, Session), rest

    assert await handler(1, 2, 3) == (1, True, (2, 3))
    assert await handler(1) == (1, True, ())


async def test_unmatched_keywords_go_to_the_handlers_star_star_kwargs() -> None:
    """A keyword no free parameter takes fills **kwargs; matched ones go where they did."""
    c = Container()

    @c.inject
    async def handler(title: str, token: Token, **extra: Any) -> tuple[str, str, dict[str, Any]]:
        return title, token, extra

    assert await handler(title="t", x_token="ada", color="red", size=3) == (
        "t",
        "ada",
        {"color": "red", "size": 3},
    )
    assert await handler("t") == ("t", "anonymous", {})


async def test_a_sub_dependencys_star_args_and_kwargs_receive_nothing() -> None:
    """Only the handler's *args/**kwargs get the extras; a provider's get nothing."""
    c = Container()
    seen: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def greedy(*args: Any, **kwargs: Any) -> str:
        seen.append((args, kwargs))
        return "made"

    @c.inject
    async def handler(
        value: Annotated[str, Depends(greedy)], *args: Any, **kwargs: Any
    ) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return value, args, kwargs

    assert await handler(1, 2, color="red") == ("made", (1, 2), {"color": "red"})
    assert seen == [((), {})]


async def test_a_keyword_a_sub_dependency_takes_does_not_reach_star_star_kwargs() -> None:
    """A keyword that fills a provider's free parameter is that parameter's, not **kwargs'."""
    c = Container()

    @c.inject
    async def handler(token: Token, **extra: Any) -> tuple[str, dict[str, Any]]:
        return token, extra

    assert await handler(x_token="ada") == ("ada", {})


async def test_an_injected_parameter_cannot_be_passed_even_with_star_star_kwargs() -> None:
    """Passing an injected parameter's name is refused, not handed to **kwargs."""
    c = Container()

    @c.inject
    async def handler(db: DB, **extra: Any) -> dict[str, Any]:
        return extra

    with pytest.raises(InjectionError, match="got unexpected keyword argument\\(s\\) db: db is"):
        await handler(db=Session())


def test_sync_handler_with_star_args_and_kwargs() -> None:
    """A sync injected function gets its extras too, called plainly or in a scope."""
    c = Container()

    @c.inject
    def handler(a: int, db: DB, *args: int, **kwargs: int) -> tuple[Any, ...]:
        return a, isinstance(db, Session), args, kwargs

    assert handler(1, 2, b=3) == (1, True, (2,), {"b": 3})
    with c.request() as scope:
        assert scope.call_sync(handler, 1, 2, b=3) == (1, True, (2,), {"b": 3})


async def test_extras_reach_the_handler_when_it_joins_a_request_in_use() -> None:
    """Inside a request that already holds values, the extras still reach the handler."""
    c = Container()
    c.register(Session, scope="request")

    @c.inject
    async def handler(session: Session, *args: int, **kwargs: int) -> tuple[Any, ...]:
        return args, kwargs

    async with c.request() as scope:
        await scope.resolve(Session)  # the request now holds a value: calls join it
        assert await handler(1, 2, b=3) == ((1, 2), {"b": 3})
        assert await scope.call(handler, 4, c=5) == ((4,), {"c": 5})


async def test_extras_reach_the_handler_on_the_call_that_builds_an_app_value() -> None:
    """The first call, which hands over to the plan that builds app values, keeps extras."""
    c = Container()
    c.register(Session, scope="app")

    @c.inject
    async def handler(session: Session, *args: int, **kwargs: int) -> tuple[Any, ...]:
        return args, kwargs

    assert await handler(1, b=2) == ((1,), {"b": 2})
    assert await handler(3, c=4) == ((3,), {"c": 4})
    await c.aclose()


async def test_a_handler_read_through_inspect_gets_its_extras() -> None:
    """A handler behind functools.wraps (read with inspect.signature) gets them too."""
    c = Container()

    def logged(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await func(*args, **kwargs)

        return wrapper

    @c.inject
    @logged
    async def handler(db: DB, *args: int, **kwargs: int) -> tuple[Any, ...]:
        return args, kwargs

    assert await handler(1, b=2) == ((1,), {"b": 2})


async def test_an_unknown_keyword_is_still_an_error_without_star_star_kwargs() -> None:
    """A handler with *args but no **kwargs still refuses a keyword nothing takes."""
    c = Container()

    @c.inject
    async def handler(title: str, *args: int) -> tuple[int, ...]:
        return args

    with pytest.raises(InjectionError, match="unexpected keyword argument\\(s\\) colour"):
        await handler("t", 1, colour="red")


async def test_too_many_positional_arguments_without_star_args() -> None:
    """Without *args, extra positional arguments are an error naming the free ones."""
    c = Container()

    @c.inject
    async def handler(title: str, db: DB, **extra: Any) -> str:
        return title

    with pytest.raises(
        InjectionError,
        match=r"takes 1 positional argument\(s\) that are not\ninjected \(title\), but 2",
    ):
        await handler("t", "u")


async def test_a_value_passed_twice_is_an_error_with_star_args() -> None:
    """A free parameter filled by position and by keyword is refused, as in Python."""
    c = Container()

    @c.inject
    async def handler(title: str, *args: str) -> str:
        return title

    with pytest.raises(InjectionError, match="got multiple values for title"):
        await handler("a", "b", title="c")


async def test_a_misspelled_keyword_gets_a_suggestion() -> None:
    """The error for a keyword nothing takes suggests the close accepted name."""
    c = Container()

    @c.inject
    async def create_note(title: str, token: Token) -> str:
        return title

    with pytest.raises(InjectionError) as caught:
        await create_note(title="t", x_tokn="ada")
    assert "hint: 'x_tokn': did you mean 'x_token'?" in str(caught.value)
    assert "The names a call may pass are: title,\n        x_token." in str(caught.value)


async def test_a_call_that_may_pass_nothing_says_so() -> None:
    """With no free parameter at all, the error says the call takes nothing (not 'none')."""
    c = Container()

    @c.inject
    async def handler(db: DB) -> None:
        return None

    with pytest.raises(InjectionError) as caught:
        await handler(q=1)
    message = str(caught.value)
    assert "may pass nothing: no parameter of its graph is filled\n        from the call" in message
    assert ": none" not in message


def test_a_plan_without_star_args_or_kwargs_has_no_extra_work() -> None:
    """Only a handler with *args/**kwargs gets the binding that collects extras."""
    c = Container()

    @c.inject
    async def plain(title: str, db: DB) -> str:
        return title

    @c.inject
    async def open_handler(title: str, db: DB, **extra: Any) -> str:
        return title

    assert "extra" not in c.plan_source(plain)
    assert "bind_open" not in c.plan_source(plain)
    assert "**extra_kw" in c.plan_source(open_handler)
