"""Callables whose signature is not a plain function's: classes without ``__init__``, with a
metaclass ``__call__`` or a builtin base, callable objects taking ``*args``; and how
annotations that are not classes are named in messages."""

import decimal
import typing
from typing import Any

import pytest
import typing_extensions

from injectkit import Container, InjectionError


class Plain:
    """No ``__init__`` of its own: it takes no argument."""


def test_a_class_without_init_refuses_an_unknown_keyword_by_name() -> None:
    """``inject(Plain)(unknown=1)``: an InjectionError naming the keyword, not a TypeError."""
    with pytest.raises(InjectionError) as raised:
        Container().inject(Plain)(unknown=1)
    assert raised.value.message == (
        "Plain got unexpected keyword argument(s) unknown: no free parameter of its graph "
        "has that name."
    )


class Labelled(type):
    """A metaclass whose ``__call__`` has a signature of its own."""

    def __call__(cls, *, label: str = "made") -> Any:
        return super().__call__(label)


class Widget(metaclass=Labelled):
    def __init__(self, label: str) -> None:
        self.label = label


def test_a_class_whose_metaclass_defines_call_is_called_by_that_signature() -> None:
    """The metaclass's ``__call__`` decides the parameters (its default applies), not
    ``__init__``'s."""
    c = Container()
    assert c.inject(Widget)().label == "made"
    assert c.inject(Widget)(label="given").label == "given"


class Money(decimal.Decimal):
    """A builtin base's ``__new__`` and no ``__init__`` of its own."""


def test_a_class_built_on_a_builtin_is_called_by_the_builtins_signature() -> None:
    """``Money(Decimal)``: called with Decimal's defaults, or the value the call passes."""
    c = Container()
    assert c.inject(Money)() == decimal.Decimal("0")
    assert c.inject(Money)("1.5") == decimal.Decimal("1.5")


class Database:
    pass


class Handler:
    """A callable object taking ``*args`` and, after them, a keyword-only dependency."""

    def __call__(self, *args: int, db: Database) -> tuple[tuple[int, ...], Database]:
        return args, db


def test_a_keyword_only_parameter_after_args_of_a_callable_object_is_injected() -> None:
    """``__call__(self, *args, db: Database)``: the call's arguments go to ``*args`` and
    ``db`` is injected."""
    c = Container()
    c.register(Database)
    args, db = c.inject(Handler())(1, 2)
    assert args == (1, 2)
    assert isinstance(db, Database)


def missing_value_message(annotation: Any) -> str:
    """The message of calling an injected function whose ``x: annotation`` is not passed."""

    def handler(x: Any) -> None:
        return None

    handler.__annotations__["x"] = annotation
    with pytest.raises(InjectionError) as raised:
        Container().inject(handler)()
    return raised.value.message


def test_typing_and_typing_extensions_prefixes_are_left_out_of_type_names() -> None:
    """``typing.Optional[int]`` is named ``Optional[int]``, ``typing_extensions.ReadOnly[int]``
    ``ReadOnly[int]``."""
    assert missing_value_message(typing.Optional[int]).startswith(  # noqa: UP045
        "Missing value for parameter 'x: Optional[int]' of handler"
    )
    assert missing_value_message(typing_extensions.ReadOnly[int]).startswith(
        "Missing value for parameter 'x: ReadOnly[int]' of handler"
    )


def test_a_tuple_annotation_is_named_as_written() -> None:
    """``x: (int, str)``, a tuple where a type belongs: shown in parentheses."""
    assert missing_value_message((int, str)).startswith(
        "Missing value for parameter 'x: (int, str)' of handler"
    )


def test_a_list_annotation_holding_itself_is_named_one_level_deep() -> None:
    """A list annotation that contains itself: its items are named, the inner list by its
    repr, so naming it ends."""
    looped: list[Any] = []
    looped.append(looped)
    looped.append(int)

    def handler(x: Any) -> None:
        return None

    handler.__annotations__["x"] = looped
    with pytest.raises(InjectionError) as raised:
        Container().validate(handler)
    assert raised.value.requested == "[[[...], <class 'int'>], int]"
