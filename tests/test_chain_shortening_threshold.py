"""Where a long chain starts being shortened in a message: only when at least two names
would be hidden ("… 1 more …" is no shorter than the name it stands for)."""

from __future__ import annotations

from _long_chains import missing_at_depth

from injectkit import InjectionError


def chain_line(error: InjectionError) -> str:
    text = str(error)
    return " ".join(text[text.index("  chain: ") : text.index("\n  hint: ")].split())


def test_a_chain_one_name_over_the_limit_is_shown_whole() -> None:
    """Eleven names (five kept each side, one left over) are all shown."""
    error = missing_at_depth(10, "m")
    names = ["handler", *(f"m{i}" for i in range(10))]
    assert chain_line(error) == "chain: " + " -> ".join(names)


def test_a_chain_two_names_over_the_limit_hides_two() -> None:
    """Twelve names: the first and last five are shown around '… 2 more …'."""
    error = missing_at_depth(11, "m")
    assert chain_line(error) == (
        "chain: handler -> m0 -> m1 -> m2 -> m3 -> … 2 more … -> m6 -> m7 -> m8 -> m9 -> m10"
    )
    assert len(error.path) == 12
