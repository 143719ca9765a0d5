"""A handler behind a decorator (``functools.wraps``, read with ``inspect.signature``)
takes what its own signature takes: its wrapper's ``*args, **kwargs`` let nothing more in."""

from __future__ import annotations

from typing import Annotated

import pytest
from _wrapping_decorator import passthrough

from injectkit import Container, Depends, InjectionError


class Session:
    pass


def test_a_decorated_handler_without_star_args_refuses_extra_positional_arguments() -> None:
    """``title`` is its only free parameter: a second positional argument is an error."""
    c = Container()

    @c.inject
    @passthrough
    def handler(title: str, session: Annotated[Session, Depends()]) -> str:
        return title

    assert handler("t") == "t"
    with pytest.raises(InjectionError) as raised:
        handler("t", "u")
    assert str(raised.value).startswith(
        "handler takes 1 positional argument(s) that are not\ninjected (title), but 2 were given."
    )


def test_a_decorated_handler_without_star_star_kwargs_refuses_unknown_keywords() -> None:
    """A keyword no parameter takes is the unexpected-keyword error, not passed through."""
    c = Container()

    @c.inject
    @passthrough
    def handler(title: str, session: Annotated[Session, Depends()]) -> str:
        return title

    with pytest.raises(InjectionError) as raised:
        handler("t", colour="red")
    assert str(raised.value).startswith("handler got unexpected keyword argument(s) colour")
    assert raised.value.requested == "colour"
