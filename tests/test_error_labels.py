"""How errors name things: providers that share a name, long chains, articles."""

import inspect
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _long_chains import missing_at_depth, validation_error
from starlette.requests import Request

from injectkit import CircularDependencyError, Container, InjectionError
from injectkit.integrations import starlette as starlette_adapter


def ring(container: Container, size: int, name: str = "provide") -> list[type]:
    """``size`` types, each provided by a function called ``name`` needing the next one."""
    types = [type(f"Ring{i}", (), {}) for i in range(size)]
    for i, provided in enumerate(types):

        def provider(dep: Any) -> Any:
            return None

        provider.__name__ = provider.__qualname__ = name
        provider.__annotations__ = {"dep": types[(i + 1) % size], "return": provided}
        container.register(provided, provider)
    return types


def ring_error(size: int) -> CircularDependencyError:
    """What validating a handler that needs the first type of a ``ring`` raises."""
    container = Container()
    types = ring(container, size)
    return validation_error(container, types[0], CircularDependencyError)


def test_providers_sharing_a_name_are_labelled_with_their_type() -> None:
    """A cycle through functions all named ``provide`` says which type each provides."""
    error = ring_error(8)
    assert "provide (Ring5) -> provide (Ring6)" in str(error)
    assert "provide -> provide" not in str(error)
    assert error.path[:3] == ("handler", "provide (Ring0)", "provide (Ring1)")


def test_a_unique_provider_name_stays_plain() -> None:
    """A provider whose name no other registration shares keeps its plain name."""
    container = Container()

    class Settings:
        pass

    class Missing:
        pass

    def load_settings(missing: Missing) -> Settings:
        return Settings()

    container.register(Settings, load_settings)

    def handler(settings: Settings) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert info.value.path == ("handler", "load_settings")


def test_one_function_registered_for_two_types_is_labelled_with_each() -> None:
    """The same function providing two types is told apart by the type, too."""
    container = Container()

    class Primary:
        pass

    class Replica:
        pass

    class Missing:
        pass

    def connect(missing: Missing) -> Any:
        return object()

    container.register(Primary, connect)
    container.register(Replica, connect)

    def handler(primary: Primary, replica: Replica) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    chains = sorted(error.path for error in info.value.errors)
    assert chains == [("handler", "connect (Primary)"), ("handler", "connect (Replica)")]


def test_a_cycle_of_thousands_is_shortened_in_the_message() -> None:
    """A 5,000-node cycle makes a short message with '… 4,991 more …', the full path kept."""
    error = ring_error(5000)
    text = str(error)
    assert len(text) < 2_000, len(text)
    assert "… 4,991 more …" in text  # the cycle repeats its first node: 5,001 names
    assert "… 4,992 more …" in text  # the chain also starts with the handler
    assert len(error.path) == 5002


def test_a_chain_of_thousands_is_shortened_in_the_message() -> None:
    """A 5,000-deep chain ending in a missing provider: the chain line is shortened."""
    depth = 5000
    error = missing_at_depth(depth)
    text = str(error)
    chain = text[text.index("  chain: ") : text.index("\n  hint: ")]
    assert chain == (  # broken after an arrow, indented under the first name
        "  chain: handler -> make0 -> make1 -> make2 -> make3 -> … 4,991 more … ->\n"
        "         make4995 -> make4996 -> make4997 -> make4998 -> make4999"
    )
    assert len(text) < 1_000
    assert len(error.path) == depth + 1


def test_a_short_chain_is_shown_whole() -> None:
    """Eleven names are shown as they are: hiding one name would save nothing."""
    error = InjectionError("x", path=[f"n{i}" for i in range(11)])
    assert "n5" in str(error)
    assert "more" not in str(error)


def test_an_async_generator_handler_is_called_an_async_generator() -> None:
    """call_sync on an async generator says 'an async generator', not 'a async generator'."""
    container = Container()

    async def stream() -> AsyncIterator[int]:
        yield 1

    with container.request() as scope, pytest.raises(InjectionError) as info:
        scope.call_sync(stream)
    assert "stream is an async generator function" in str(info.value)


def test_an_adapter_refusing_an_async_generator_uses_the_right_article() -> None:
    """The Starlette adapter's inject on an async generator: 'an async generator'."""

    async def stream(request: Request) -> AsyncIterator[int]:
        yield 1

    with pytest.raises(InjectionError) as info:
        starlette_adapter.inject(stream)
    assert "is an async generator function" in str(info.value)
    assert "a async" not in str(info.value)


def test_thousands_of_problems_are_listed_up_to_twenty() -> None:
    """validate() finding 3,000 problems lists 20 and says how many more; errors has all."""
    container = Container()
    missing = [type(f"Missing{i}", (), {}) for i in range(3000)]

    def handler(**kwargs: Any) -> None:
        pass

    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(f"p{i}", inspect.Parameter.KEYWORD_ONLY, annotation=tp)
            for i, tp in enumerate(missing)
        ]
    )
    with pytest.raises(InjectionError) as info:
        container.validate(handler, strict=True)
    text = str(info.value)
    assert text.startswith("3000 problems found in the dependency\ngraph:\n1. ")
    assert "\n20. `Missing19` is not registered" in text
    assert "21. " not in text
    assert text.endswith("… 2,980 more (error.errors lists them all)")
    assert len(info.value.errors) == 3000
