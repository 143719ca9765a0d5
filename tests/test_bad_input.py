"""Bad input is an InjectionError naming the provider, never a raw exception.

Unhashable annotations, bare ``Iterator`` return annotations, keyword-only parameter names
that a call cannot spell, and user objects whose signature, annotations, hash or
``__repr__`` raise: each is reported as an :class:`InjectionError` that names the
provider, with the original exception (where there is one) as its ``__cause__``.
"""

import collections.abc
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError, testing

pytestmark = pytest.mark.anyio


class Boom(Exception):
    """What the user objects below raise."""


class RaisingRepr:
    """A callable object whose ``__repr__`` raises."""

    def __repr__(self) -> str:
        raise Boom("repr")

    def __call__(self) -> int:
        return 1


class Unhashable:
    """An annotation object whose hash and repr raise."""

    def __hash__(self) -> int:
        raise Boom("hash")

    def __repr__(self) -> str:
        raise Boom("repr")


def with_signature(*parameters: inspect.Parameter) -> Any:
    """A ``**kwargs`` function whose ``__signature__`` declares ``parameters``."""

    def provider(**kwargs: Any) -> dict[str, Any]:
        return kwargs

    provider.__signature__ = inspect.Signature(list(parameters))  # type: ignore[attr-defined]
    return provider


def keyword_only(name: str) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str, default="x")


async def test_an_unhashable_handler_annotation_is_an_injection_error(anyio_backend: str) -> None:
    """``x: [int]`` on the handler: an InjectionError naming it, the TypeError as cause."""
    container = Container()

    async def handler(x: [int]) -> None:  # type: ignore[valid-type]
        pass

    with pytest.raises(InjectionError) as info:
        await container.inject(handler)(x=[1])
    assert "Parameter 'x' of handler is annotated with [int],\nwhich is not a type" in str(
        info.value
    )
    assert info.value.path == ("handler",)
    assert isinstance(info.value.__cause__, TypeError)


def test_an_unhashable_provider_annotation_names_the_provider_and_chain() -> None:
    """``x: [int]`` on a provider: the error names it and how the handler reaches it."""
    container = Container()

    def sub(x: [int]) -> int:  # type: ignore[valid-type]
        return 1

    def handler(v: Annotated[int, Depends(sub)]) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert info.value.path == ("handler", "sub")
    assert isinstance(info.value.__cause__, TypeError)


def test_an_unhashable_annotation_with_context_types_is_an_injection_error() -> None:
    """With a request context (types looked up by hash), ``x: [int]`` is still reported."""
    container = Container()

    def handler(x: [int]) -> None:  # type: ignore[valid-type]
        pass

    with container.request(context={int: 1}) as scope, pytest.raises(InjectionError) as info:
        scope.call_sync(handler, x=[1])
    assert isinstance(info.value.__cause__, TypeError)


def test_an_annotation_whose_hash_raises_is_an_injection_error() -> None:
    """An annotation object whose ``__hash__`` raises: its own exception is the cause."""
    container = Container()

    def handler(x: Any) -> None:
        pass

    handler.__annotations__["x"] = Unhashable()
    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert "its __repr__ raised" in str(info.value)
    assert isinstance(info.value.__cause__, Boom)


def test_resolving_an_unhashable_type_is_an_injection_error() -> None:
    """``resolve_sync([1])`` says it is not a type, with the TypeError as cause."""
    container = Container()
    with container.request() as scope, pytest.raises(InjectionError) as info:
        scope.resolve_sync([1])  # type: ignore[arg-type]
    assert str(info.value).startswith("resolve([1]): [1] is not a type")
    assert isinstance(info.value.__cause__, TypeError)


async def test_resolving_an_unhashable_type_async_is_an_injection_error(
    anyio_backend: str,
) -> None:
    """``await scope.resolve([1])`` is the same InjectionError."""
    container = Container()
    async with container.request() as scope:
        with pytest.raises(InjectionError) as info:
            await scope.resolve([1])  # type: ignore[arg-type]
    assert isinstance(info.value.__cause__, TypeError)


@pytest.mark.parametrize(
    "bare",
    [typing.Iterator, typing.Generator, collections.abc.Iterator],
    ids=["typing.Iterator", "typing.Generator", "abc.Iterator"],
)
def test_a_bare_iterator_return_annotation_is_an_injection_error(bare: Any) -> None:
    """A generator provider annotated with a bare Iterator names it, not an IndexError."""
    container = Container()

    def open_session() -> Any:
        yield object()

    open_session.__annotations__["return"] = bare
    with pytest.raises(InjectionError) as info:
        container.provider(open_session)
    assert info.value.message.startswith("open_session is a generator provider annotated -> ")
    assert info.value.path == ("open_session",)


@pytest.mark.parametrize("bare", [typing.AsyncIterator, collections.abc.AsyncGenerator])
def test_a_bare_async_iterator_return_annotation_is_an_injection_error(bare: Any) -> None:
    """An async generator provider annotated with a bare AsyncIterator: same error."""
    container = Container()

    async def open_session() -> Any:
        yield object()

    open_session.__annotations__["return"] = bare
    with pytest.raises(InjectionError) as info:
        container.provider(open_session)
    assert "is an async generator provider annotated" in info.value.message


@pytest.mark.parametrize(
    ("name", "sep", "reason"),
    [  # the message as laid out in lines of 80 columns
        ("__debug__", "\n", " which cannot be passed as a keyword argument"),
        ("\ufb01le", " ", "\nwhich Python turns into 'file' when it is written in a call"),
    ],
    ids=["__debug__", "nfkc"],
)
async def test_a_keyword_only_name_a_call_cannot_spell_is_an_injection_error(
    anyio_backend: str, name: str, sep: str, reason: str
) -> None:
    """A keyword-only ``__debug__`` or ``ﬁle`` never reaches generated source."""
    container = Container()
    provider = with_signature(keyword_only(name))

    @container.inject
    async def handler(value: Annotated[dict[str, Any], Depends(provider)]) -> dict[str, Any]:
        return value

    with pytest.raises(InjectionError) as info:
        await handler()
    assert f"has a keyword-only parameter named{sep}{name!r},{reason}." in str(info.value)
    assert info.value.path == ("handler", "provider")
    with pytest.raises(InjectionError):
        container.validate(handler)


def test_a_keyword_only_handler_parameter_a_call_cannot_spell_is_an_injection_error() -> None:
    """The handler's own keyword-only ``__debug__`` is refused too, before compiling."""
    container = Container()
    handler = with_signature(keyword_only("__debug__"))
    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert info.value.path == ("provider",)


def test_plain_keyword_only_names_still_reach_their_parameters() -> None:
    """The check refuses only unspellable names: ``*, file`` is passed as before."""
    container = Container()
    provider = with_signature(keyword_only("file"))

    @container.inject
    def handler(value: Annotated[dict[str, Any], Depends(provider)]) -> dict[str, Any]:
        return value

    assert handler(file="y") == {"file": "y"}


def test_a_positional_dunder_debug_parameter_is_accepted() -> None:
    """A positional ``__debug__`` is passed by position, so it needs no refusing."""
    container = Container()
    provider = with_signature(
        inspect.Parameter("__debug__", inspect.Parameter.POSITIONAL_ONLY, default=3)
    )

    def positional(*args: Any) -> tuple[Any, ...]:
        return args

    positional.__signature__ = provider.__signature__  # type: ignore[attr-defined]

    @container.inject
    def handler(value: Annotated[tuple[Any, ...], Depends(positional)]) -> tuple[Any, ...]:
        return value

    assert handler() == (3,)


def test_a_signature_that_raises_is_an_injection_error_with_its_cause() -> None:
    """A ``__signature__`` property that raises: InjectionError naming it, cause kept."""
    container = Container()

    class Settings:
        @property
        def __signature__(self) -> inspect.Signature:
            raise Boom("signature")

        def __call__(self) -> int:
            return 1

    def handler(value: Annotated[int, Depends(Settings())]) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert str(info.value).startswith("Cannot read the signature of Settings(): Boom:\nsignature")
    assert info.value.path == ("handler", "Settings()")
    assert isinstance(info.value.__cause__, Boom)


def test_annotations_that_raise_are_an_injection_error_with_its_cause() -> None:
    """An ``__annotations__`` property that raises: InjectionError, cause kept."""
    container = Container()

    class Provider:
        @property
        def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
            raise Boom("annotations")

        def __call__(self, x: int = 1) -> int:
            return x

    def handler(value: Annotated[int, Depends(Provider())]) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert isinstance(info.value.__cause__, Boom)


def test_an_annotation_that_raises_when_evaluated_keeps_its_cause() -> None:
    """A string annotation whose evaluation raises: named, with that exception as cause."""
    container = Container()

    def provider(x: int) -> int:
        return x

    provider.__annotations__["x"] = "1 / 0"

    def handler(value: Annotated[int, Depends(provider)]) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert "Cannot evaluate the annotation '1 / 0' of parameter\n'x' of provider" in str(info.value)
    assert "ZeroDivisionError: division by zero" in str(info.value)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_a_non_callable_dependency_whose_repr_raises_is_still_reported() -> None:
    """Depends(obj) with obj not callable and a raising ``__repr__``: the real error."""
    container = Container()

    class NotCallable:
        def __repr__(self) -> str:
            raise Boom("repr")

    def handler(value: Annotated[int, Depends(NotCallable())]) -> None:  # type: ignore[arg-type]
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert "is not callable" in str(info.value)
    assert "<NotCallable object (its __repr__ raised)>" in str(info.value)


def test_a_provider_whose_repr_raises_is_named_in_a_graph_error() -> None:
    """A callable provider whose ``__repr__`` raises is named by its class in the chain."""
    container = Container()

    class Needs:
        pass

    class Provider(RaisingRepr):
        def __call__(self, needs: Needs) -> int:  # type: ignore[override]
            return 1

    def handler(value: Annotated[int, Depends(Provider())]) -> None:
        pass

    with pytest.raises(InjectionError) as info:
        container.validate(handler)
    assert info.value.path == ("handler", "Provider()")


SHOWN = "<Unhashable object (its __repr__ raised)>"  # how errors show an Unhashable


def test_registering_an_unhashable_key_keeps_the_cause() -> None:
    """register() with a key whose hash raises: InjectionError, the user's error as cause."""
    container = Container()
    with pytest.raises(InjectionError) as info:
        container.register(Unhashable(), lambda: 1)
    assert "cannot be used as a key (Boom: hash)" in str(info.value)
    assert isinstance(info.value.__cause__, Boom)


def test_overriding_an_unhashable_target_keeps_the_cause() -> None:
    """override() with a target whose hash raises: InjectionError, cause kept."""
    container = Container()
    with pytest.raises(InjectionError) as info, container.override(Unhashable(), 1):
        pass
    assert isinstance(info.value.__cause__, Boom)
    assert info.value.message == (
        f"override({SHOWN}): {SHOWN} cannot be overridden: it is not hashable (Boom: hash)."
    )
    assert info.value.hint == "override a registered type or the callable used in Depends(...)."


def test_a_permanent_override_of_an_unhashable_target_is_an_injection_error() -> None:
    """container.overrides[target] = ... with an unhashable target: the same
    InjectionError as override() (it was a bare TypeError), and nothing is stored."""
    container = Container()
    with pytest.raises(InjectionError) as info:
        container.overrides[Unhashable()] = 1
    assert isinstance(info.value.__cause__, Boom)
    assert info.value.message == (
        f"overrides[{SHOWN}]: {SHOWN} cannot be overridden: it is not hashable (Boom: hash)."
    )
    assert not container.overrides


def test_injecting_a_non_callable_whose_repr_raises_is_an_injection_error() -> None:
    """inject() on a non-callable with a raising ``__repr__`` says what it needs."""
    container = Container()

    class NotCallable:
        def __repr__(self) -> str:
            raise Boom("repr")

    with pytest.raises(InjectionError, match="inject\\(\\) needs a function"):
        container.inject(NotCallable())  # type: ignore[arg-type]


def test_a_scope_whose_repr_raises_is_refused_readably() -> None:
    """Depends(scope=obj) with a bad scope whose ``__repr__`` raises: the scope error."""

    class Odd:
        def __repr__(self) -> str:
            raise Boom("repr")

    with pytest.raises(InjectionError, match=r"\(its __repr__ raised\)> is\nnot accepted here\."):
        Depends(lambda: 1, scope=Odd())  # type: ignore[arg-type]


class HashRaises:
    """A callable object whose ``__hash__`` raises (compared by identity)."""

    def __hash__(self) -> int:
        raise Boom("hash")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __call__(self) -> int:
        return 7


async def test_a_callable_whose_hash_raises_is_keyed_by_identity(anyio_backend: str) -> None:
    """Such a callable works as a dependency, an injected function and a scope call."""
    container = Container()
    provider = HashRaises()

    @container.inject
    async def handler(value: Annotated[int, Depends(provider)]) -> int:
        return value

    container.validate(handler)
    assert await handler() == 7
    assert container.inject(HashRaises())() == 7
    async with container.request() as scope:
        assert await scope.call(provider) == 7


class ReprRaises:
    """Not callable, not a mapping, not a container: and its ``__repr__`` raises."""

    def __repr__(self) -> str:
        raise Boom("repr")


@pytest.mark.parametrize(
    "misuse",
    [
        lambda: BackgroundTasks().add_task(ReprRaises()),  # type: ignore[arg-type]
        lambda: testing.override(ReprRaises(), {}),  # type: ignore[arg-type]
        lambda: testing.override(Container(), ReprRaises()),  # type: ignore[arg-type]
        lambda: testing.fake(raises=ReprRaises()),  # type: ignore[arg-type]
        lambda: testing.record(Container(), ReprRaises()),  # type: ignore[arg-type]
    ],
    ids=["add_task", "override-container", "override-mapping", "fake", "record"],
)
def test_a_wrong_argument_whose_repr_raises_is_still_an_injection_error(
    misuse: Callable[[], Any],
) -> None:
    """The testing helpers and add_task name a bad argument without calling its repr."""
    with pytest.raises(InjectionError, match=r"<ReprRaises object \(its\s+__repr__ raised\)>"):
        result = misuse()
        if hasattr(result, "__enter__"):  # override() and record() check when entered
            with result:
                pass


async def test_call_provider_names_a_wrong_target_whose_repr_raises(anyio_backend: str) -> None:
    """call_provider(obj, ...) with a bad first argument: an InjectionError all the same."""
    with pytest.raises(InjectionError, match=r"<ReprRaises object \(its\s+__repr__ raised\)>"):
        await testing.call_provider(ReprRaises(), lambda: 1)  # type: ignore[call-overload]
