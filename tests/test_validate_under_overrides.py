"""validate() checks the graph as calls made at that point would see it, local overrides
included, and the graph it keeps for a first call is never one built under an override;
plans of unhashable callables are kept apart."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from injectkit import Container, InjectionError


class Mailer:
    pass


class FakeMailer(Mailer):
    pass


class Settings:
    pass


def test_validate_under_a_local_override_sees_the_override() -> None:
    """An unregistered Mailer overridden locally: validate() passes under the override
    and fails outside it."""
    c = Container()

    @c.inject
    def handler(mailer: Mailer) -> Mailer:
        return mailer

    with c.override(Mailer, FakeMailer, local=True):
        c.validate(handler, strict=True)
    with pytest.raises(InjectionError, match="Mailer"):
        c.validate(handler, strict=True)


def test_a_graph_validated_under_an_override_is_not_used_after_it() -> None:
    """validate() under a local override, then the first call after it: the registered
    provider, not the override, gives the value."""
    c = Container()
    c.register(Settings)

    @c.inject
    def handler(settings: Settings) -> Settings:
        return settings

    replacement = Settings()
    with c.override(Settings, lambda: replacement, local=True):
        c.validate(handler)
    assert handler() is not replacement
    assert type(handler()) is Settings


@dataclass
class Greeter:  # eq=True and not frozen: unhashable
    greeting: str

    def __call__(self) -> str:
        return self.greeting


def test_unhashable_callables_each_run_their_own_plan() -> None:
    """scope.call() on two unhashable callable instances: each call runs its own (their
    plans are kept by identity, apart)."""
    c = Container()
    hello, bye = Greeter("hello"), Greeter("bye")
    with c.request() as scope:
        assert scope.call_sync(hello) == "hello"
        assert scope.call_sync(bye) == "bye"
        assert scope.call_sync(hello) == "hello"
