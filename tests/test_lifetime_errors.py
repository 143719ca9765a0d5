"""What a lifetime error carries: a provider that outlives what it depends on is a
ScopeError whose message, hint, ``path``, ``requested`` and ``scope`` name the provider,
the shorter-lived value and the fix, for every such input of the provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest

from injectkit import Container, Depends, ScopeError


class Settings:
    pass


class Session:
    pass


class Report:
    def __init__(self, settings: Settings, session: Session) -> None:
        self.settings = settings
        self.session = session


def open_session() -> Iterator[Session]:
    yield Session()


def test_an_app_provider_reading_a_value_from_the_call_names_the_parameter() -> None:
    """An app-scoped provider with a parameter only the call can give: the error names
    the parameter, ends its chain at the provider, and hints at a default."""
    c = Container()

    def page_size(size: int) -> int:
        return size

    @c.inject
    def handler(rows: Annotated[int, Depends(page_size, scope="app")]) -> int:
        return rows

    with pytest.raises(ScopeError) as raised:
        c.validate(handler)
    error = raised.value
    assert error.message == (
        "page_size is app-scoped but depends on parameter 'size: int', a value from the "
        "call, which does not live as long."
    )
    assert error.hint == "give the parameter a default, or make the provider request-scoped."
    assert error.path == ("handler", "page_size")
    assert error.requested == "parameter 'size: int'"
    assert error.scope == "app"


def test_an_app_provider_reading_a_request_value_names_it_and_its_lifetime() -> None:
    """An app-scoped Report built from a request-scoped Session: the chain goes on to
    open_session, and the hint names both ways out."""
    c = Container()
    c.register(Settings, scope="app")
    c.register(Session, open_session)
    c.register(Report, scope="app")

    @c.inject
    def handler(report: Report) -> Report:
        return report

    with pytest.raises(ScopeError) as raised:
        c.validate(handler)
    error = raised.value
    assert error.message == (
        "Report is app-scoped but depends on open_session (request), which does not live as long."
    )
    assert error.hint == ("make Report request-scoped (or shorter), or open_session longer-lived.")
    assert error.path == ("handler", "Report", "open_session")
    assert error.requested == "open_session"
    assert error.scope == "app"


def test_every_short_lived_input_is_checked_after_a_long_lived_one() -> None:
    """Report's first input (app Settings) is fine; its second (request Session) is still
    refused."""
    c = Container()
    c.register(Settings, scope="app")
    c.register(Session, open_session)
    c.register(Report, scope="app")

    @c.inject
    def handler(settings: Settings, report: Report) -> Report:
        return report

    with pytest.raises(ScopeError, match="Report is app-scoped but depends on open_session"):
        c.validate(handler)


def test_a_transient_provider_without_inputs_lives_as_long_as_the_app() -> None:
    """A transient provider that needs nothing can be used by an app-scoped one."""

    class Retries(int):
        pass

    class Client:
        def __init__(self, retries: Retries) -> None:
            self.retries = retries

    c = Container()
    c.register(Retries, lambda: Retries(3), scope="transient")
    c.register(Client, scope="app")

    @c.inject
    def handler(client: Client) -> int:
        return client.retries

    c.validate(handler)
    assert handler() == 3


def _page_size_provider() -> object:
    def page_size(size: int) -> int:  # a new function per call, all named page_size
        return size

    return page_size


def test_validate_lists_one_lifetime_problem_once_and_two_alike_named_ones_twice() -> None:
    """validate() over several handlers lists a provider's lifetime problem once however
    many handlers reach it, and two distinct providers that share a name and a problem
    as two problems."""
    c = Container()
    shared, other = _page_size_provider(), _page_size_provider()

    @c.inject
    def first(rows: Annotated[int, Depends(shared, scope="app")]) -> int:
        return rows

    @c.inject
    def second(rows: Annotated[int, Depends(shared, scope="app")]) -> int:
        return rows

    @c.inject
    def third(rows: Annotated[int, Depends(other, scope="app")]) -> int:
        return rows

    with pytest.raises(ScopeError) as raised:
        c.validate(first, second, third)
    assert [error.path for error in raised.value.errors] == [
        ("first", "page_size"),
        ("third", "page_size"),
    ]
