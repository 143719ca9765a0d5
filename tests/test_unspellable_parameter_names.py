"""A parameter whose name no call can spell (only a hand-made code object or
``__signature__`` can declare one) is refused before anything runs, with the fix."""

from typing import Annotated, Any

import pytest

from injectkit import Container, Depends, InjectionError


def _named(name: str) -> Any:
    """A provider whose code object names its one parameter ``name``."""

    def provider(x: int = 1) -> int:
        return x

    provider.__code__ = provider.__code__.replace(co_varnames=(name,))
    return provider


@pytest.mark.parametrize(
    ("name", "expected"),
    [  # the message as laid out in lines of 80 columns
        ("class", "provider has a parameter named 'class', which is not a\nPython name."),
        ("not a name", "provider has a parameter named 'not a name', which is\nnot a Python name."),
    ],
    ids=["keyword", "not-an-identifier"],
)
def test_a_parameter_named_with_a_keyword_or_a_non_name_is_refused(
    name: str, expected: str
) -> None:
    """``class`` (a keyword) or ``not a name``: the provider, the name and the fix."""
    provider = _named(name)

    def handler(value: Annotated[int, Depends(provider)]) -> None:
        return None

    with pytest.raises(InjectionError) as raised:
        Container().validate(handler)
    assert str(raised.value) == (
        expected + "\n  chain: handler -> provider"
        "\n  hint: give the parameter a plain name (ASCII letters, digits and underscores)."
    )
    assert raised.value.requested == name
    assert raised.value.path == ("handler", "provider")
