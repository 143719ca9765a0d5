"""What a call passing a keyword the handler does not take is told: which names were
wrong and why (injected, unknown, or an app-scoped provider's parameter), the closest
name it may pass, and every name it may."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import Container, InjectionError


class Settings:
    def __init__(self, region: str) -> None:
        self.region = region


class Clock:
    pass


def settings(region: str = "eu") -> Settings:
    return Settings(region)


def handler(s: Settings, clock: Clock, user: str = "x") -> str:
    return s.region


HINT_END = (  # the hint's end, as laid out after "'usr': did you mean 'user'? "
    "The names a call may pass are: user.\n"
    "        Injected parameters cannot be passed by the caller; to replace a\n"
    "        dependency, override it."
)


@pytest.mark.parametrize(
    ("keywords", "message", "path", "requested"),
    [
        (
            {"region": "us"},
            "handler got keyword argument 'region', but the only\n"
            "parameter of that name belongs to settings, which is built once for the app and\n"
            "so takes its default, not a call's value.\n"
            "  chain: handler -> settings\n"
            "  hint: make settings request-scoped to take region from the call, or stop\n"
            "        passing it. The names a call may pass are: user.",
            ("handler", "settings"),
            "region",
        ),
        (
            {"s": 1},
            "handler got unexpected keyword argument(s) s: s is\n"
            "injected.\n"
            "  chain: handler\n"
            "  hint: the names a call may pass are: user. Injected parameters cannot be\n"
            "        passed by the caller; to replace a dependency, override it.",
            ("handler",),
            "s",
        ),
        (
            {"s": 1, "clock": 2},
            "handler got unexpected keyword argument(s) clock, s:\n"
            "clock, s are injected.\n"
            "  chain: handler\n"
            "  hint: the names a call may pass are: user. Injected parameters cannot be\n"
            "        passed by the caller; to replace a dependency, override it.",
            ("handler",),
            "clock, s",
        ),
        (
            {"s": 1, "usr": 2},
            "handler got unexpected keyword argument(s) s, usr: s\n"
            "is injected.\n"
            f"  chain: handler\n  hint: 'usr': did you mean 'user'? {HINT_END}",
            ("handler",),
            "s, usr",
        ),
        (
            {"usre": 2},
            "handler got unexpected keyword argument(s) usre: no\n"
            "free parameter of its graph has that name.\n"
            f"  chain: handler\n  hint: 'usre': did you mean 'user'? {HINT_END}",
            ("handler",),
            "usre",
        ),
    ],
    ids=["app-scoped", "injected", "two-injected", "injected-and-typo", "typo"],
)
def test_a_wrong_keyword_is_refused_with_the_reason_and_the_names_allowed(
    keywords: dict[str, Any], message: str, path: tuple[str, ...], requested: str
) -> None:
    """The error names the keyword(s), why each is refused, the chain and the fix."""
    c = Container()
    c.register(Settings, settings, scope="app")
    c.register(Clock, Clock)
    injected = c.inject(handler)
    with pytest.raises(InjectionError) as raised:
        injected(**keywords)
    assert str(raised.value) == message
    assert raised.value.path == path
    assert raised.value.requested == requested


def test_an_app_scoped_providers_parameter_is_refused_under_an_override_too() -> None:
    """An override keeps the names a call may pass: an app-scoped provider's parameter is
    still refused with its reason, not taken and silently dropped."""
    c = Container()
    c.register(Settings, settings, scope="app")
    c.register(Clock, Clock)
    injected = c.inject(handler)
    with c.override(Clock, Clock()), pytest.raises(InjectionError) as raised:
        injected(region="us")
    assert raised.value.path == ("handler", "settings")
    assert "belongs to settings, which is built once for the app" in str(raised.value)
    with c.override(Clock, Clock()):
        assert injected(user="u") == "eu"
