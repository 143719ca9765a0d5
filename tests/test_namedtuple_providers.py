"""A ``NamedTuple`` provider in a module with ``from __future__ import annotations``: its
fields' annotations name classes of its own module, although its generated ``__new__``
lives in a namespace of its own; an unknown name is an error naming the field as written."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from injectkit import Container, InjectionError


class Settings:
    pass


class Config(NamedTuple):
    settings: Settings
    retries: int = 3


class Broken(NamedTuple):
    settings: Missing  # type: ignore[name-defined]  # noqa: F821


def test_a_namedtuple_gets_the_module_classes_its_fields_name() -> None:
    """Config's ``settings: Settings`` (a string under future annotations) is resolved in
    this module, and its default is kept."""
    c = Container()
    c.register(Settings, scope="app")
    c.register(Config)

    @c.inject
    def handler(config: Config, settings: Settings) -> Config:
        assert config.settings is settings
        return config

    assert handler().retries == 3


def test_a_local_namedtuple_gets_the_classes_of_the_function_around_it() -> None:
    """A NamedTuple defined in a test function may name that function's own classes."""

    class Mailer:
        pass

    class Outbox(NamedTuple):
        mailer: Mailer
        settings: Settings

    c = Container()
    c.register(Mailer)
    c.register(Settings)
    c.register(Outbox)

    @c.inject
    def handler(outbox: Outbox) -> Outbox:
        return outbox

    assert isinstance(handler().mailer, Mailer)


def test_a_namedtuple_field_naming_an_unknown_class_is_named_as_written() -> None:
    """``settings: Missing`` is reported with the field and the name as written."""
    c = Container()
    c.register(Broken)

    @c.inject
    def handler(broken: Broken) -> None:
        pass

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    assert raised.value.message == (
        "Cannot evaluate the annotation 'Missing' of parameter 'settings' of Broken: "
        "name 'Missing' is not defined."
    )
    assert raised.value.path == ("handler", "Broken")
    assert raised.value.requested == "Missing"
