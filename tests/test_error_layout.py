"""Error messages are laid out in lines of at most 80 columns, one part (what, chain,
hint) after the other, in a terminal as on the docs site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import pytest

import injectkit._exceptions
from injectkit import Container, Depends, InjectionError, ScopeError
from injectkit._error_layout import WIDTH, error_lines
from injectkit._exceptions import combine

ROOT = Path(__file__).resolve().parent.parent
HINT = (
    "register a provider for Database (container.register(Database, ...) or "
    "@container.provider), mark the parameter with Depends(...), or give it a default."
)


def test_every_line_of_the_errors_page_output_fits_80_columns() -> None:
    """Each line of every real error on docs/errors.md, traceback prefix included, fits."""
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- error-output: [\w-]+ -->\n```text\n(.*?)```", page, re.DOTALL)
    assert len(blocks) >= 15
    long = [line for block in blocks for line in block.splitlines() if len(line) > WIDTH]
    assert not long, long


def test_the_what_the_chain_and_the_hint_each_start_a_line() -> None:
    """The traceback's first line leaves room for the class name; the hint's lines are
    indented under its first word."""
    error = ScopeError(
        "build_cache is app-scoped but depends on open_session (request), which does not "
        "live as long.",
        path=("handler", "build_cache", "open_session"),
        hint=HINT,
    )
    assert str(error) == (
        "build_cache is app-scoped but depends on open_session\n"
        "(request), which does not live as long.\n"
        "  chain: handler -> build_cache -> open_session\n"
        "  hint: register a provider for Database (container.register(Database, ...) or\n"
        "        @container.provider), mark the parameter with Depends(...), or give it a\n"
        "        default."
    )
    assert len("injectkit.ScopeError: " + str(error).splitlines()[0]) <= WIDTH


def test_a_long_chain_breaks_after_an_arrow_never_inside_a_name() -> None:
    """Continuation lines of a chain are indented under its first name."""
    names = [f"provider_number_{i}" for i in range(8)]
    text = error_lines("what", names, None, lead=0)
    assert text == (
        "what\n"
        "  chain: provider_number_0 -> provider_number_1 -> provider_number_2 ->\n"
        "         provider_number_3 -> provider_number_4 -> provider_number_5 ->\n"
        "         provider_number_6 -> provider_number_7"
    )


def test_a_quoted_name_or_code_span_is_never_split() -> None:
    """'user_id: int', `await scope.call(...)` and <X object ...> stay on one line."""
    text = error_lines(
        "Missing value for parameter 'user_id: int' of get_user: it is not injected.",
        [],
        "make the handler async (or use `await scope.call(...)` rather than call_sync) "
        "with <Odd object (its __repr__ raised)>.",
        lead=34,
    )
    assert "'user_id: int'" in text
    assert "`await scope.call(...)`" in text
    assert "<Odd object (its __repr__ raised)>" in text
    assert all(len(line) <= WIDTH for line in text.splitlines())


def test_a_word_longer_than_a_line_stays_whole() -> None:
    """A name wider than 80 columns is not cut; it sits on a line of its own."""
    name = "x" * 100
    assert error_lines(f"see {name} here", [], None, lead=0) == f"see\n{name}\nhere"


def test_combined_errors_nest_their_parts_within_80_columns() -> None:
    """validate()'s numbered list indents each error's lines and still fits."""
    one = InjectionError("a " * 60 + "end.", path=("handler", "dep"), hint="fix " * 30)
    two = InjectionError("short.", hint="fix it.")
    text = str(combine([one, two]))
    assert text.splitlines()[0] == "2 problems found in the dependency graph:"
    assert "\n2. short.\n     hint: fix it." in text
    assert all(len(line) <= WIDTH for line in text.splitlines())


@pytest.mark.anyio
async def test_a_call_that_succeeds_lays_out_no_error(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Error layout happens when an error is created, never on a call that works."""

    def no_layout(*args: object, **kwargs: object) -> str:
        raise AssertionError("an error was laid out during a call that works")

    container = Container()

    def get_db() -> str:
        return "db"

    @container.inject
    async def handler(name: str, db: Annotated[str, Depends(get_db)]) -> str:
        return f"{name} {db}"

    assert await handler("warm") == "warm db"
    monkeypatch.setattr(injectkit._exceptions, "error_lines", no_layout)
    for _ in range(3):
        assert await handler("ada") == "ada db"
    assert await handler(name="bo") == "bo db"


def test_a_message_line_that_fits_exactly_is_kept_as_written() -> None:
    """A first line of exactly the room left after the class name, double space and all,
    is not re-wrapped."""
    lead = len("injectkit.InjectionError: ")
    line = "Two  spaces stay where they were written in this line"
    line += "." * (WIDTH - lead - len(line))
    assert len(line) == WIDTH - lead
    assert str(InjectionError(line)) == line


def test_a_wrapped_message_keeps_its_first_and_last_words_whole() -> None:
    """Wrapping a long message starting ``X-Request-Id`` and ending ``MAX`` loses no letter."""
    message = (
        "X-Request-Id is read from the request headers, but this handler runs outside any "
        "request, so nothing can provide it here; the limit is MAX"
    )
    text = str(InjectionError(message))
    assert text.startswith("X-Request-Id is read")
    assert text.endswith("is MAX")
    assert " ".join(text.split()) == message


def test_a_chain_that_fits_80_columns_exactly_stays_on_one_line() -> None:
    """``  chain: handler -> ...`` of exactly 80 columns is not broken after an arrow."""
    last = "p" * (WIDTH - len("  chain: handler -> "))
    error = InjectionError("short", path=("handler", last))
    assert error.args[0].splitlines()[1] == f"  chain: handler -> {last}"
