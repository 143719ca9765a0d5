"""The type a provider provides is read from its return annotation (or its
``__signature__``), generators unwrapped; when none says it, the error says how to."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator

import pytest

from injectkit import Container, InjectionError


class Clock:
    pass


def test_a_generator_annotated_with_the_yielded_type_provides_that_type() -> None:
    """``def clock() -> Clock: yield ...``: the annotation is the type, not a generator."""
    container = Container()

    @container.provider
    def clock() -> Clock:
        yield Clock()

    @container.inject
    def handler(value: Clock) -> Clock:
        return value

    assert type(handler()) is Clock


def test_a_provider_without_a_return_annotation_is_refused_with_the_fix() -> None:
    """No ``->``: the provider, the chain and both ways to say the type."""

    def make_clock():  # type: ignore[no-untyped-def]  # the mistake under test
        return Clock()

    with pytest.raises(InjectionError) as raised:
        Container().provider(make_clock)
    assert str(raised.value) == (
        "make_clock has no return annotation, so the type it\nprovides is unknown."
        "\n  chain: make_clock"
        "\n  hint: annotate its return type, or use container.register(SomeType,"
        "\n        make_clock)."
    )
    assert raised.value.path == ("make_clock",)


def sessions() -> Iterator:  # type: ignore[type-arg]  # the mistake under test
    yield Clock()


async def async_sessions() -> AsyncIterator:  # type: ignore[type-arg]  # the mistake under test
    yield Clock()


@pytest.mark.parametrize(
    ("provider", "requested", "expected"),
    [
        (
            sessions,
            "Iterator",
            "sessions is a generator provider annotated ->\nIterator, which does not say what "
            "it yields.\n  chain: sessions\n  hint: name the yielded type, e.g. -> "
            "Iterator[Session], or use\n        container.register(SomeType, sessions).",
        ),
        (
            async_sessions,
            "AsyncIterator",
            "async_sessions is an async generator provider\nannotated -> AsyncIterator, which "
            "does not say what it yields.\n  chain: async_sessions\n  hint: name the yielded "
            "type, e.g. -> AsyncIterator[Session], or use\n        "
            "container.register(SomeType, async_sessions).",
        ),
    ],
)
def test_a_bare_iterator_annotation_is_refused_naming_it(
    provider: object, requested: str, expected: str
) -> None:
    """``-> Iterator`` without ``[T]``: the annotation as written, in the text and requested."""
    with pytest.raises(InjectionError) as raised:
        Container().provider(provider)  # type: ignore[call-overload]
    assert str(raised.value) == expected
    assert raised.value.requested == requested


def test_a_signature_attribute_says_the_provided_type() -> None:
    """A function with no annotations whose ``__signature__`` says ``-> Clock`` provides Clock."""
    container = Container()

    def make_clock():  # type: ignore[no-untyped-def]  # the signature says what it gives
        return Clock()

    make_clock.__signature__ = inspect.Signature(return_annotation=Clock)  # type: ignore[attr-defined]
    container.provider(make_clock)

    @container.inject
    def handler(value: Clock) -> Clock:
        return value

    assert type(handler()) is Clock


def test_a_signature_attribute_with_a_string_return_annotation_is_evaluated() -> None:
    """``__signature__`` giving ``-> 'Clock'`` as a string (copied from a module with
    ``from __future__ import annotations``) provides Clock, evaluated in the provider's
    module; a name that does not exist there is an error naming it."""

    def make_clock():  # type: ignore[no-untyped-def]  # the signature says what it gives
        return Clock()

    make_clock.__signature__ = inspect.Signature(return_annotation="Clock")  # type: ignore[attr-defined]
    container = Container()
    container.provider(make_clock)

    @container.inject
    def handler(value: Clock) -> Clock:
        return value

    assert type(handler()) is Clock

    def misspelled():  # type: ignore[no-untyped-def]
        return Clock()

    misspelled.__signature__ = inspect.Signature(return_annotation="Clok")  # type: ignore[attr-defined]
    with pytest.raises(InjectionError) as raised:
        Container().provider(misspelled)
    assert " ".join(str(raised.value).split()).startswith(
        "Cannot evaluate the annotation 'Clok' of the return annotation of misspelled: "
        "name 'Clok' is not defined."
    )
