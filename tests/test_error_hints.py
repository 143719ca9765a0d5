"""Each documented error's hint starts with a fix that works.

One test per error program in docs/examples/errors/ (the kinds docs/errors.md shows): it
runs the program, checks that the error's hint names the fix first, applies that fix to
the program's own text, and runs it again without an error.
``test_every_documented_error_has_a_fix_test`` keeps the list complete when a kind is
added to the page.  The tests after it check hints of the same kinds in situations the
programs do not show.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pytest

import injectkit._container
from injectkit import Container, Depends, InjectionError, ScopeError, UnresolvableDependencyError

PROGRAMS = Path(__file__).resolve().parent.parent / "docs" / "examples" / "errors"
FIXED: dict[str, Callable[..., Any]] = {}  # program name -> the test that applies its fix
T = TypeVar("T", bound=Callable[..., Any])


def fixes(program: str) -> Callable[[T], T]:
    """Record that the decorated test applies the first fix of ``program``'s error."""

    def record(test: T) -> T:
        FIXED[program] = test
        return test

    return record


def run(program: str, *edits: tuple[str, str]) -> None:
    """Run docs/examples/errors/<program>.py, with each ``(old, new)`` edit applied."""
    path = PROGRAMS / f"{program}.py"
    source = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert source.count(old) == 1, f"{old!r} is not in {path.name} once"
        source = source.replace(old, new)
    exec(compile(source, str(path), "exec"), {"__name__": f"errors_{program}"})


def error_of(program: str) -> InjectionError:
    """The error the program ends with, unchanged."""
    with pytest.raises(InjectionError) as info:
        run(program)
    return info.value


def first_fix(error: InjectionError) -> str:
    """The hint's first fix: the text before its first comma or semicolon."""
    assert error.hint is not None
    return error.hint.replace(";", ",").split(",", 1)[0]


def assert_first_fix(error: InjectionError, fix: str) -> None:
    """The hint names ``fix`` first (the test then applies it)."""
    assert first_fix(error).startswith(fix), f"hint: {error.hint}"


@fixes("unresolvable")
def test_registering_the_type_clears_an_unresolvable_provider_parameter() -> None:
    """A provider's parameter of an unregistered class is fixed by registering it."""
    error = error_of("unresolvable")
    assert_first_fix(error, "register a provider for Database (container.register(Database")
    assert "pass db=" not in str(error)  # no call can reach a provider's parameter
    run(
        "unresolvable",
        ("container.validate()", "container.register(Database)\ncontainer.validate()"),
    )


@fixes("unregistered_handler_call")
def test_registering_the_type_clears_a_handler_parameter_the_call_did_not_pass() -> None:
    """The handler's own ``mailer: Mailer``, not passed, is fixed by registering Mailer."""
    assert_first_fix(
        error_of("unregistered_handler_call"),
        "register a provider for Mailer (container.register(Mailer",
    )
    run(
        "unregistered_handler_call",
        ('signup("ada@example.com")', 'container.register(Mailer)\nsignup("ada@example.com")'),
    )


@fixes("unregistered_handler")
def test_registering_the_type_clears_a_strict_validation_error() -> None:
    """validate(strict=True)'s unregistered handler parameter goes once it is registered."""
    error = error_of("unregistered_handler")
    assert_first_fix(error, "register a provider for Clock (container.register(Clock")
    run(
        "unregistered_handler",
        (
            "container.validate(strict=True)",
            "container.register(Clock)\ncontainer.validate(strict=True)",
        ),
    )


@fixes("missing_value")
def test_passing_the_value_clears_a_missing_free_parameter() -> None:
    """A sub-dependency's free parameter not passed is fixed by passing it to the call."""
    assert_first_fix(error_of("missing_value"), "pass token=... to the call")
    run("missing_value", ("profile()", 'profile(token="t-1")'))


@fixes("cycle")
def test_breaking_the_cycle_clears_it() -> None:
    """A cycle is fixed by one of its providers no longer needing the others."""
    assert_first_fix(
        error_of("cycle"), "break the cycle: one of these providers must not need the others"
    )
    run(
        "cycle",
        (
            "def __init__(self, orders: Orders) -> None:\n        self.orders = orders",
            "def __init__(self) -> None:\n        self.orders = None",
        ),
    )


@fixes("scope_app_request")
def test_shortening_the_consumer_clears_an_app_value_needing_a_request_one() -> None:
    """An app-scoped provider needing a request-scoped one is fixed by making it request."""
    assert_first_fix(error_of("scope_app_request"), "make build_cache request-scoped (or shorter)")
    run("scope_app_request", ('@container.provider(scope="app")', "@container.provider()"))


@fixes("scope_request_function")
def test_shortening_the_consumer_clears_a_request_value_needing_a_function_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A request-scoped Depends needing a function-scoped one is fixed by scope='function'."""
    # The program uses the module-level inject: keep its handlers off the real default.
    monkeypatch.setattr(injectkit._container, "default_container", Container())
    error = error_of("scope_request_function")
    assert_first_fix(error, "make repository function-scoped (or shorter)")
    run(
        "scope_request_function",
        ("Depends(repository)", 'Depends(repository, scope="function")'),
    )


@fixes("sync_async")
def test_a_sync_provider_clears_an_async_one_under_a_sync_call() -> None:
    """A sync handler reaching an async provider is fixed by a sync provider."""
    assert_first_fix(error_of("sync_async"), "give open_session a sync provider (a def")
    run(
        "sync_async",
        ("import AsyncIterator", "import AsyncIterator, Iterator"),
        ("async def open_session() -> AsyncIterator", "def open_session() -> Iterator"),
    )


@fixes("unexpected_keyword")
def test_an_accepted_name_clears_an_unexpected_keyword() -> None:
    """A keyword no free parameter has is fixed by one of the names the hint lists."""
    error = error_of("unexpected_keyword")
    assert error.hint is not None
    accepted = error.hint.split("the names a call may pass are: ", 1)[1].split(".")[0]
    assert accepted.split(", ") == ["email", "q"]
    run("unexpected_keyword", ('query="injectkit"', 'q="injectkit"'))


@fixes("positional")
def test_leaving_out_an_injected_value_clears_too_many_positionals() -> None:
    """A positional value for an injected parameter is fixed by leaving it out."""
    assert_first_fix(error_of("positional"), "leave out the value(s) for mailer")
    run("positional", ('invite("ada@example.com", Mailer())', 'invite("ada@example.com")'))


@fixes("forward_reference")
def test_importing_the_name_clears_an_unevaluable_annotation() -> None:
    """An annotation naming something imported only for type checkers: import it."""
    assert_first_fix(
        error_of("forward_reference"),
        "import the name at module level (not only under TYPE_CHECKING)",
    )
    run(
        "forward_reference",
        ("container = Container()", "from decimal import Decimal\n\ncontainer = Container()"),
    )


@fixes("not_a_type")
def test_a_real_type_clears_an_annotation_that_is_not_one() -> None:
    """``names: [str]`` is fixed by the type the hint spells, ``list[str]``."""
    error = error_of("not_a_type")
    assert_first_fix(error, "annotate the parameter with a type")
    assert error.hint is not None and "list[str] rather than [str]" in error.hint
    run("not_a_type", ("names: [str]", "names: list[str]"))


@fixes("marker_as_annotation")
def test_annotated_or_a_default_clears_a_marker_written_as_the_annotation() -> None:
    """``db: Depends(get_db)`` is fixed by ``Annotated[str, Depends(get_db)]``, the first
    spelling the hint gives, and by the default it gives second."""
    error = error_of("marker_as_annotation")
    assert_first_fix(error, "write `db: Annotated[T")
    run(
        "marker_as_annotation",
        ("from injectkit", "from typing import Annotated\n\nfrom injectkit"),
        ("db: Depends(get_db)", "db: Annotated[str, Depends(get_db)]"),
    )
    run("marker_as_annotation", ("db: Depends(get_db)", "db: str = Depends(get_db)"))


@fixes("bare_iterator")
def test_naming_the_yielded_type_clears_a_bare_iterator() -> None:
    """A generator provider annotated ``-> Iterator`` is fixed by ``-> Iterator[Session]``."""
    assert_first_fix(error_of("bare_iterator"), "name the yielded type")
    run("bare_iterator", ("-> Iterator:", "-> Iterator[Session]:"))


@fixes("unreadable_signature")
def test_wrapping_clears_a_signature_that_cannot_be_read() -> None:
    """A callable whose signature raises is fixed by a small function around it."""
    error = error_of("unreadable_signature")
    assert_first_fix(error, "wrap it in a small function with annotated parameters")
    run(
        "unreadable_signature",
        (
            "settings = Settings()\n",
            "settings = Settings()\n\n\ndef load_settings() -> dict[str, str]:\n"
            "    return settings()\n",
        ),
        ("Depends(settings)", "Depends(load_settings)"),
    )


@fixes("no_yield")
def test_yielding_once_clears_a_provider_that_never_yields() -> None:
    """A generator provider that ends without a value is fixed by yielding exactly once."""
    assert_first_fix(error_of("no_yield"), "a generator provider must yield exactly once")
    run("no_yield", ("    if False:\n        yield Session()", "    yield Session()"))


@fixes("yields_twice")
def test_one_yield_clears_a_provider_that_yields_twice() -> None:
    """A generator provider that yields twice is fixed by one yield, teardown after it."""
    assert_first_fix(error_of("yields_twice"), "a provider yields exactly one value")
    run("yields_twice", ('    yield "replica"', "    pass"))


@fixes("validate_many")
def test_applying_each_first_fix_clears_every_problem_validate_listed() -> None:
    """validate() lists several problems; the first fix of each, applied, clears them all."""
    error = error_of("validate_many")
    assert [first_fix(e) for e in error.errors] == [
        "register a provider for Mailer (container.register(Mailer",
        "make audit_log function-scoped (or shorter)",
        "give fetch_rates a sync provider (a def",
    ]
    run(
        "validate_many",
        ("container.validate()", "container.register(Mailer)\ncontainer.validate()"),
        ("Depends(audit_log)", 'Depends(audit_log, scope="function")'),
        ("async def fetch_rates() -> AsyncIterator", "def fetch_rates() -> Iterator"),
    )


def test_every_documented_error_has_a_fix_test() -> None:
    """Each error program in docs/examples/errors/ has a test here applying its first fix."""
    programs = {path.stem for path in PROGRAMS.glob("*.py")}
    assert programs == set(FIXED), (
        f"programs without a fix test: {sorted(programs - set(FIXED))}; "
        f"tests for programs that are gone: {sorted(set(FIXED) - programs)}"
    )


# -- the same kinds, in situations the programs do not show ---------------------------------


class Session:
    pass


def test_a_registered_provider_needing_a_function_value_is_told_its_scope() -> None:
    """A registered provider needing a function-scoped value: register it function-scoped."""
    container = Container()

    def connect() -> Iterator[str]:
        yield "connection"

    class Repository:
        def __init__(self, conn: Annotated[str, Depends(connect, scope="function")]) -> None:
            self.conn = conn

    container.register(Repository)

    @container.inject
    def handler(repo: Repository) -> str:
        return repo.conn

    with pytest.raises(ScopeError) as info:
        handler()
    assert_first_fix(info.value, "make Repository function-scoped")
    container.register(Repository, scope="function")
    assert handler() == "connection"


def test_a_positional_value_for_a_dependency_is_told_to_go_by_keyword() -> None:
    """An extra positional value that a dependency could take: the hint says pass by name."""
    container = Container()

    def get_token(token: str) -> str:
        return token

    @container.inject
    def handler(email: str, token: Annotated[str, Depends(get_token)]) -> str:
        return f"{email} {token}"

    with pytest.raises(InjectionError) as info:
        handler("ada@example.com", "t-1")
    assert info.value.hint == "pass the other values by keyword; the names that take one: token."
    assert handler("ada@example.com", token="t-1") == "ada@example.com t-1"


def test_a_provider_parameter_no_call_reaches_is_not_told_to_be_passed() -> None:
    """resolve() passes no values: its provider's free parameter is told default/Depends."""
    container = Container()

    @container.provider
    def settings(dsn: str) -> Session:
        return Session()

    with container.request() as scope, pytest.raises(UnresolvableDependencyError) as info:
        scope.resolve_sync(Session)
    assert_first_fix(info.value, "give the parameter a default")
    assert "pass dsn=" not in str(info.value)

    @container.provider
    def settings_fixed(dsn: str = "sqlite://") -> Session:
        return Session()

    with container.request() as scope:
        assert isinstance(scope.resolve_sync(Session), Session)


def test_a_transient_dependency_is_named_by_how_long_it_lives() -> None:
    """An app value needing a transient one built from request values: "(request)"."""
    container = Container()

    class Connection:
        pass

    class Cursor:
        def __init__(self, connection: Connection) -> None:
            self.connection = connection

    class Report:
        def __init__(self, cursor: Cursor) -> None:
            self.cursor = cursor

    container.register(Connection, scope="request")
    container.register(Cursor, scope="transient")
    container.register(Report, scope="app")

    @container.inject
    def handler(report: Report) -> Report:
        return report

    with pytest.raises(ScopeError) as info:
        handler()
    assert "depends on Cursor (request)" in info.value.message
    assert_first_fix(info.value, "make Report request-scoped (or shorter)")
    container.register(Report, scope="request")
    assert isinstance(handler().cursor.connection, Connection)
