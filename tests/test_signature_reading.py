"""How a provider's or handler's parameters are read: classes through ``__init__``,
``__new__`` or an explicit ``__signature__``, keyword-only parameters without a default,
decorated functions' annotations in their own module, and the mistakes refused."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import pytest
from _wrapping_decorator import Signature as DecoratorsSignature
from _wrapping_decorator import passthrough

from injectkit import Container, Depends, InjectionError


class Signature:  # named like a class of injectkit's and of the decorator's module
    pass


def get_name() -> str:
    return "alice"


class Token:
    """Built by ``__new__`` alone: its parameters are what it asks for."""

    value: str

    def __new__(cls, value: Annotated[str, Depends(get_name)]) -> Token:
        token = super().__new__(cls)
        token.value = value
        return token


class Declared:
    """A class whose ``__signature__`` (not its ``__init__``) says what it takes."""

    __signature__ = inspect.Signature(
        [inspect.Parameter("value", inspect.Parameter.KEYWORD_ONLY, annotation=str, default="x")]
    )

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs


class Empty:
    pass


def test_a_class_built_by_new_gets_what_new_asks_for() -> None:
    """``__new__(cls, value: Annotated[str, Depends(get_name)])`` is injected like __init__."""
    c = Container()

    @c.inject
    def handler(token: Annotated[Token, Depends()]) -> str:
        return token.value

    assert handler() == "alice"


def test_a_class_with_a_signature_attribute_takes_what_it_declares() -> None:
    """A class's own ``__signature__`` wins over its ``__init__(**kwargs)``."""
    c = Container()

    @c.inject
    def handler(declared: Annotated[Declared, Depends()], value: str = "y") -> dict[str, Any]:
        return declared.kwargs

    assert handler() == {"value": "x"}


def test_a_class_without_init_refuses_a_positional_argument() -> None:
    """Calling a class with no ``__init__`` through a scope with an argument is refused."""
    with Container().request() as scope, pytest.raises(InjectionError) as raised:
        scope.call_sync(Empty, 1)
    assert str(raised.value).startswith(
        "Empty takes 0 positional argument(s) that are not\ninjected (none), but 1 were given."
    )


def test_a_keyword_only_parameter_without_a_default_must_be_passed() -> None:
    """``def handler(*, name: str)`` called without name: the missing-value error."""
    c = Container()

    @c.inject
    def handler(*, name: str) -> str:
        return name

    assert handler(name="bob") == "bob"
    with pytest.raises(InjectionError) as raised:
        handler()
    assert str(raised.value).startswith("Missing value for parameter 'name: str'\nof handler:")


def test_something_not_callable_is_refused_as_a_provider() -> None:
    """``container.provider(5)``: what it is, and what to pass instead."""
    with pytest.raises(InjectionError) as raised:
        Container().provider(5)  # type: ignore[call-overload]
    assert str(raised.value) == (
        "5 is not callable, so it cannot be used as a provider\nor handler."
        "\n  chain: 5"
        "\n  hint: pass a function, a class or a callable object."
    )


def both(
    x: Annotated[int, Depends(get_name)] = Depends(get_name),  # the mistake under test
) -> None:
    return None


def test_depends_both_in_annotated_and_as_default_is_refused() -> None:
    """Two markers on one parameter: the parameter, its function and the fix."""
    with pytest.raises(InjectionError) as raised:
        Container().validate(both)
    assert str(raised.value) == (
        "Parameter 'x' of both has Depends() both in\nAnnotated[...] and as its default."
        "\n  chain: both"
        "\n  hint: keep one of the two markers."
    )
    assert raised.value.path == ("both",)


@passthrough
def make_signature() -> Signature:
    return Signature()


def plain_signature() -> Signature:
    return Signature()


@pytest.mark.parametrize("provider", [plain_signature, make_signature], ids=["plain", "decorated"])
def test_a_providers_annotations_are_read_in_its_own_module(provider: Any) -> None:
    """``-> Signature`` names this module's class, not injectkit's nor the decorator's."""
    c = Container()
    c.provider(provider)

    @c.inject
    def handler(value: Signature) -> Signature:
        return value

    assert type(handler()) is Signature
    assert Signature is not DecoratorsSignature


def test_string_annotations_of_an_explicit_signature_are_evaluated_not_taken_as_free() -> None:
    """A ``__signature__`` with string annotations (copied from a module with ``from
    __future__ import annotations``) is read like the function's own annotations: the
    type is injected, and a name that does not exist is an error naming it, not a free
    parameter missing at the call."""
    c = Container()
    c.register(Signature)

    def handler(**kwargs: Any) -> Any:
        return kwargs["value"]

    keyword = inspect.Parameter.KEYWORD_ONLY
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("value", keyword, annotation="Signature")]
    )
    assert type(c.inject(handler)()) is Signature

    def broken(**kwargs: Any) -> Any:
        return kwargs

    broken.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("value", keyword, annotation="Signatur")]
    )
    with pytest.raises(InjectionError, match="Cannot evaluate the annotation 'Signatur'"):
        c.validate(c.inject(broken))


class Registry(dict[str, int]):
    """Takes its constructor from dict, whose parameters inspect cannot read."""


def test_a_builtin_subclass_without_its_own_init_is_refused_with_how_to_build_it() -> None:
    """``class Registry(dict)`` as its own provider: refused before anything runs, the
    hint naming dict and the provider function to register instead, which then works."""
    c = Container()
    c.register(Registry)

    @c.inject
    def handler(registry: Registry) -> Registry:
        return registry

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    assert raised.value.hint is not None
    assert " ".join(raised.value.hint.split()) == (
        "Registry takes its constructor from dict, whose parameters Python cannot read: "
        "register a function that builds it, e.g. container.register(Registry, lambda: "
        "Registry()), or give Registry an __init__."
    )
    c.register(Registry, lambda: Registry())
    assert handler() == {}


class Client:
    """Takes ``**options``, and declares the parameters it forwards them to."""

    def __init__(self, **options: Any) -> None:
        self.options = options


Client.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter("signature", inspect.Parameter.KEYWORD_ONLY, annotation="Signature")]
)


def test_a_classs_signature_strings_are_evaluated_in_the_module_of_its_init() -> None:
    """A class's ``__signature__`` naming ``"Signature"``: the class of its ``__init__``'s
    module is injected (the class itself has no module namespace of its own to use)."""
    c = Container()
    c.register(Signature)
    c.register(Client)

    @c.inject
    def handler(client: Client) -> Client:
        return client

    assert type(handler().options["signature"]) is Signature


def test_signature_strings_naming_a_local_class_are_evaluated() -> None:
    """A ``__signature__`` naming a class local to the function around ``@inject``: the
    local class is injected, as for the function's own annotations."""

    class Local:
        pass

    c = Container()
    c.register(Local)

    def handler(**kwargs: Any) -> Any:
        return kwargs["value"]

    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("value", inspect.Parameter.KEYWORD_ONLY, annotation="Local")]
    )
    assert type(c.inject(handler)()) is Local
