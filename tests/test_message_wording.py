"""How messages word things: "a" or "an" by the first letter, an exception as
``Class: text`` even when its ``__str__`` raises, and a class defined inside functions
by its own name."""

from __future__ import annotations

import pytest

from injectkit import Container, InjectionError
from injectkit._wording import exception_text, safe_repr, shortened, with_article


@pytest.mark.parametrize(
    ("phrase", "worded"),
    [
        ("async generator", "an async generator"),
        ("error", "an error"),
        ("Iterator", "an Iterator"),
        ("object", "an object"),
        ("Unknown type", "an Unknown type"),
        ("generator", "a generator"),
        ("Session", "a Session"),
        ("", "a "),
    ],
)
def test_the_article_follows_the_first_letter(phrase: str, worded: str) -> None:
    """A phrase starting with a vowel (either case) takes "an", any other "a"."""
    assert with_article(phrase) == worded


class LoudError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


def test_an_exception_is_worded_by_its_class_and_text_even_when_str_raises() -> None:
    """``Class: text``; the class alone for an empty text; a stand-in for a raising __str__."""
    assert exception_text(ValueError("bad value")) == "ValueError: bad value"
    assert exception_text(ValueError()) == "ValueError"
    assert exception_text(LoudError()) == "LoudError: (its __str__ raised)"


def test_a_class_defined_in_nested_functions_is_named_by_its_own_name() -> None:
    """The stand-in for a raising __repr__ names the class without its enclosing functions."""

    def outer() -> object:
        def inner() -> object:
            class Hidden:
                def __repr__(self) -> str:
                    raise RuntimeError("no repr")

            return Hidden()

        return inner()

    assert safe_repr(outer()) == "<Hidden object (its __repr__ raised)>"


def test_a_long_chain_is_shortened_only_when_that_hides_more_than_one_name() -> None:
    """Eleven names stay whole; twelve keep five at each end around "… 2 more …"."""
    eleven = [str(i) for i in range(11)]
    twelve = [str(i) for i in range(12)]
    assert shortened(eleven) == eleven
    assert shortened(twelve) == ["0", "1", "2", "3", "4", "… 2 more …", "7", "8", "9", "10", "11"]


def refuse(reason: str) -> type:
    """Called from an annotation: what evaluating it raises."""
    raise LookupError(reason)


def test_a_quoted_exception_ending_a_sentence_keeps_one_period() -> None:
    """An annotation whose evaluation raises "no such setting." is reported ending in one
    period, not two, with a hint about code that raised (not about a missing import); an
    ellipsis in the exception's text is kept whole."""
    c = Container()

    def handler(value: refuse("no such setting.")) -> None:  # type: ignore[valid-type]
        pass

    with pytest.raises(InjectionError) as raised:
        c.validate(c.inject(handler))
    text = " ".join(str(raised.value).split())
    assert "LookupError: no such setting." in text
    assert "setting.." not in text
    assert raised.value.hint is not None
    assert "evaluating the annotation ran code that raised" in raised.value.hint
    assert exception_text(ValueError("wait...")) == "ValueError: wait..."


def test_a_quoted_exception_ending_in_a_newline_keeps_one_period() -> None:
    """An exception text ending in a newline after its period ("no such setting.\\n"):
    quoted as "no such setting." inside the sentence, without the newline."""
    c = Container()

    def handler(value: refuse("no such setting.\n")) -> None:  # type: ignore[valid-type]
        pass

    with pytest.raises(InjectionError) as raised:
        c.validate(c.inject(handler))
    assert raised.value.message.endswith(" of handler: LookupError: no such setting.")
