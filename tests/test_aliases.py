"""Type aliases (``type X = ...`` and ``TypeAliasType``) mean their value wherever an
annotation is read: parameters, return types, register(), override(), resolve()."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar

import pytest
from typing_extensions import TypeAliasType

from injectkit import Container, Depends, InjectionError, UnresolvableDependencyError

pytestmark = pytest.mark.anyio

T = TypeVar("T")


class Session:
    def __init__(self, name: str = "real") -> None:
        self.name = name


class Mailer:
    pass


class Settings:
    pass


def get_db() -> Session:
    return Session()


def get_token(x_token: str = "anonymous") -> str:
    return x_token


def needs_settings(settings: Settings) -> Mailer:
    return Mailer()


DB = TypeAliasType("DB", Annotated[Session, Depends(get_db)])
Database = TypeAliasType("Database", DB)  # an alias of an alias
SessionAlias = TypeAliasType("SessionAlias", Session)
Token = TypeAliasType("Token", Annotated[str, Depends(get_token)])
BrokenMailer = TypeAliasType("BrokenMailer", Annotated[Mailer, Depends(needs_settings)])
Injected = TypeAliasType("Injected", Annotated[T, Depends()], type_params=(T,))
Loop = TypeAliasType("Loop", "Loop")  # names itself


async def test_depends_behind_an_alias_is_injected() -> None:
    """A parameter annotated with an alias of Annotated[T, Depends(f)] gets f's value."""
    c = Container()

    @c.inject
    async def handler(db: DB) -> str:
        return db.name

    assert await handler() == "real"


async def test_an_alias_of_an_alias_is_unwrapped() -> None:
    """Aliases naming aliases are followed to the Depends at the end."""
    c = Container()

    @c.inject
    async def handler(db: Database) -> str:
        return db.name

    assert await handler() == "real"


async def test_an_alias_in_a_providers_parameter() -> None:
    """A provider's parameter annotated with an alias is resolved like the handler's."""
    c = Container()

    def get_mailer(db: DB, token: Token) -> str:
        return f"{db.name}:{token}"

    @c.inject
    async def handler(mail: Annotated[str, Depends(get_mailer)]) -> str:
        return mail

    assert await handler() == "real:anonymous"
    assert await handler(x_token="ada") == "real:ada"


async def test_an_alias_wrapped_in_annotated_keeps_its_depends() -> None:
    """Annotated[Alias, other metadata] still uses the Depends inside the alias."""
    c = Container()

    @c.inject
    async def handler(db: Annotated[DB, "documentation"]) -> str:
        return db.name

    assert await handler() == "real"


async def test_a_generic_alias_takes_its_argument() -> None:
    """Injected[Session] (Annotated[T, Depends()] with T=Session) calls Session."""
    c = Container()

    @c.inject
    async def handler(session: Injected[Session]) -> str:
        return session.name

    assert await handler() == "real"


async def test_register_and_providers_see_through_an_alias() -> None:
    """register(Alias, ...) registers the aliased type; a provider returning an alias too."""
    c = Container()
    c.register(SessionAlias, lambda: Session("registered"))

    @c.inject
    async def handler(a: Session, b: SessionAlias) -> tuple[str, str]:
        return a.name, b.name

    assert await handler() == ("registered", "registered")

    other = Container()

    @other.provider
    def make() -> Iterator[SessionAlias]:
        yield Session("from provider")

    @other.inject
    async def handler2(s: Session) -> str:
        return s.name

    assert await handler2() == "from provider"


async def test_override_and_resolve_see_through_an_alias() -> None:
    """override(Alias, ...) replaces the aliased type; resolve(Alias) follows its Depends."""
    c = Container()
    c.register(Session)

    @c.inject
    async def handler(s: Session) -> str:
        return s.name

    with c.override(SessionAlias, lambda: Session("fake")):
        assert await handler() == "fake"
    async with c.request() as scope:
        assert (await scope.resolve(DB)).name == "real"  # type: ignore[arg-type]
        assert (await scope.resolve(SessionAlias)).name == "real"  # type: ignore[arg-type]


def test_validate_reports_a_broken_dependency_behind_an_alias() -> None:
    """validate() checks the provider an alias names (before, the alias was ignored)."""
    c = Container()

    @c.inject
    def handler(mailer: BrokenMailer) -> None:
        return None

    with pytest.raises(UnresolvableDependencyError, match="settings"):
        c.validate()


def test_an_alias_that_names_itself_is_an_injection_error() -> None:
    """An alias that never reaches a value is an InjectionError, not a hang or RecursionError."""
    c = Container()

    @c.inject
    def handler(value: Loop) -> None:
        return None

    with pytest.raises(InjectionError, match=r"Loop -> Loop .* never\nends: it names itself\.\n"):
        c.validate()


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the `type` statement is Python 3.12+")
async def test_a_pep_695_type_statement() -> None:
    """`type DB = Annotated[Session, Depends(get_db)]` works like TypeAliasType."""
    namespace: dict[str, Any] = {
        "Annotated": Annotated,
        "Depends": Depends,
        "Session": Session,
        "get_db": get_db,
    }
    source = """
        type DB = Annotated[Session, Depends(get_db)]
        type Database = DB
        type Injected[T] = Annotated[T, Depends()]
    """
    exec(textwrap.dedent(source), namespace)
    c = Container()

    async def handler(a: Any, b: Any, c: Any) -> tuple[str, str, str]:
        return a.name, b.name, c.name

    handler.__annotations__ = {
        "a": namespace["DB"],
        "b": namespace["Database"],
        "c": namespace["Injected"][Session],
    }
    assert await c.inject(handler)() == ("real", "real", "real")
