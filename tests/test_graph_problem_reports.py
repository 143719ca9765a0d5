"""What ``validate()`` reports for each graph problem: the message, the structured fields
(``path``, ``requested``), and one report per problem however many chains reach it."""

from typing import Annotated, Any, NoReturn

import pytest

from injectkit import (
    CircularDependencyError,
    Container,
    Depends,
    InjectionError,
    UnresolvableDependencyError,
)


def problems(container: Container, *funcs: Any) -> tuple[InjectionError, ...]:
    """Every problem ``container.validate(*funcs)`` finds (it must find one at least)."""
    with pytest.raises(InjectionError) as raised:
        container.validate(*funcs)
    return raised.value.errors


class Mailer:
    pass


def named_get_client(tag: str) -> Any:
    """A provider called ``get_client`` needing an unregistered ``Mailer`` (a new one per
    call: same name, different functions)."""

    def get_client(mailer: Mailer) -> str:
        return tag

    return get_client


def test_a_plain_value_nothing_provides_names_the_parameter_and_the_fix() -> None:
    """``limit: int`` of a registered class: the parameter, the class, that no call passes it."""

    class Report:
        def __init__(self, limit: int) -> None:
            self.limit = limit

    c = Container()
    c.register(Report)
    (error,) = problems(c)
    assert isinstance(error, UnresolvableDependencyError)
    assert str(error) == (
        "Cannot resolve parameter 'limit: int' of\nReport: nothing provides it."
        "\n  chain: Report"
        "\n  hint: give the parameter a default, or mark it with Depends(...): no call"
        "\n        passes limit here (only an injected function's call passes values)."
    )
    assert error.path == ("Report",)
    assert error.requested == "limit: int"


def test_an_unregistered_service_names_what_was_requested() -> None:
    """``mailer: Mailer`` of a provider: ``requested`` is the parameter with its type."""

    def handler(client: Annotated[str, Depends(named_get_client("a"))]) -> str:
        return client

    (error,) = problems(Container(), handler)
    assert isinstance(error, UnresolvableDependencyError)
    assert error.path == ("handler", "get_client")
    assert error.requested == "mailer: Mailer"


def test_the_same_mistake_in_two_providers_of_the_same_name_is_reported_twice() -> None:
    """Two different ``get_client`` functions missing ``Mailer``: two problems, one each."""

    def handler(
        first: Annotated[str, Depends(named_get_client("a"))],
        second: Annotated[str, Depends(named_get_client("b"))],
    ) -> str:
        return first + second

    found = problems(Container(), handler)
    assert [(e.path, e.requested) for e in found] == [
        (("handler", "get_client"), "mailer: Mailer"),
        (("handler", "get_client"), "mailer: Mailer"),
    ]


def test_the_same_plain_value_missing_in_two_classes_of_the_same_name_is_reported_twice() -> None:
    """Two registered classes both called ``Report`` needing ``limit: int``: two problems."""

    def make_report() -> type:
        class Report:
            def __init__(self, limit: int) -> None:
                self.limit = limit

        return Report

    c = Container()
    c.register(make_report())
    c.register(make_report())
    found = problems(c)
    assert [e.requested for e in found] == ["limit: int", "limit: int"]


def test_a_value_that_is_not_a_type_gets_a_hint_with_example_types() -> None:
    """``x: {'a': 1}`` (unhashable, not a list): the hint lists the kinds of type to use."""

    def handler(x: Any) -> None:
        return None

    handler.__annotations__["x"] = {"a": 1}

    (error,) = problems(Container(), handler)
    assert error.message == (
        "Parameter 'x' of handler is annotated with {'a': 1}, "
        "which is not a type (TypeError: unhashable type: 'dict')."
    )
    assert error.hint == (
        "annotate the parameter with a type, e.g. list[int], dict[str, int] or a class."
    )
    assert error.requested == "{'a': 1}"


def test_the_same_bad_annotation_in_two_functions_of_the_same_name_is_reported_twice() -> None:
    """Two ``parse`` providers annotated ``x: {}``: each is reported, not merged into one."""

    def make_parse() -> Any:
        def parse(x: Any) -> int:
            return 1

        parse.__annotations__["x"] = {}

        return parse

    def handler(
        a: Annotated[int, Depends(make_parse())], b: Annotated[int, Depends(make_parse())]
    ) -> int:
        return a + b

    found = problems(Container(), handler)
    assert [e.path for e in found] == [("handler", "parse"), ("handler", "parse")]


class _RaisingModule(type):
    """A metaclass whose ``__module__`` raises: an annotation that fails when looked at."""

    @property
    def __module__(cls) -> NoReturn:  # type: ignore[override]
        raise RuntimeError("module lookup failed")


class Weird(metaclass=_RaisingModule):
    pass


def get_weird_count(w: Weird) -> int:
    return 1


def test_an_annotation_that_raises_when_inspected_is_reported_with_its_error() -> None:
    """A parameter's class that raises while it is looked at: an InjectionError with the cause."""

    def handler(count: Annotated[int, Depends(get_weird_count)]) -> int:
        return count

    (error,) = problems(Container(), handler)
    assert type(error) is InjectionError
    assert error.message == (
        "Cannot resolve parameter 'w' of get_weird_count: RuntimeError: module lookup failed."
    )
    assert error.hint == "check the parameter's annotation and marker: one of them raised."
    assert error.path == ("handler", "get_weird_count")
    assert error.requested == "w"
    assert isinstance(error.__cause__, RuntimeError)
    assert str(error.__cause__) == "module lookup failed"


def test_an_annotation_that_raises_in_two_handlers_is_reported_once() -> None:
    """Two handlers reaching the same failing provider parameter: one problem, not two."""

    def first(count: Annotated[int, Depends(get_weird_count)]) -> int:
        return count

    def second(count: Annotated[int, Depends(get_weird_count)]) -> int:
        return count

    found = problems(Container(), first, second)
    assert [e.path for e in found] == [("first", "get_weird_count")]


def test_an_annotation_that_raises_in_two_providers_of_the_same_name_is_reported_twice() -> None:
    """Two different ``get_weird_count`` functions with the failing parameter: two problems."""

    def make_provider() -> Any:
        def get_weird_count(w: Weird) -> int:
            return 1

        return get_weird_count

    def handler(
        a: Annotated[int, Depends(make_provider())], b: Annotated[int, Depends(make_provider())]
    ) -> int:
        return a + b

    found = problems(Container(), handler)
    assert [e.path for e in found] == [
        ("handler", "get_weird_count"),
        ("handler", "get_weird_count"),
    ]


class Orders:
    def __init__(self, billing: "Billing") -> None:
        self.billing = billing


class Billing:
    def __init__(self, orders: Orders) -> None:
        self.orders = orders


def test_a_cycle_names_the_provider_it_comes_back_to() -> None:
    """``Orders -> Billing -> Orders``: ``requested`` is Orders, the node the cycle closes on."""
    c = Container()
    c.register(Orders)
    c.register(Billing)

    def handler(orders: Orders) -> None:
        return None

    (error,) = problems(c, handler)
    assert isinstance(error, CircularDependencyError)
    assert error.requested == "Orders"
    assert error.path == ("handler", "Orders", "Billing", "Orders")


def test_a_cycle_reached_from_two_of_its_nodes_is_reported_once() -> None:
    """Handlers entering the same cycle at Orders and at Billing: one problem, not two."""
    c = Container()
    c.register(Orders)
    c.register(Billing)

    def by_orders(orders: Orders) -> None:
        return None

    def by_billing(billing: Billing) -> None:
        return None

    found = problems(c, by_orders, by_billing)
    assert [e.path for e in found] == [("by_orders", "Orders", "Billing", "Orders")]


def test_two_different_problems_without_a_key_of_their_own_are_both_reported() -> None:
    """``x=Depends()`` with nothing to call in two handlers: two problems, told apart by
    their messages."""

    def first(x=Depends()) -> None:  # type: ignore[no-untyped-def]  # the mistake
        return None

    def second(y=Depends()) -> None:  # type: ignore[no-untyped-def]  # the mistake
        return None

    found = problems(Container(), first, second)
    assert [e.path for e in found] == [("first",), ("second",)]
