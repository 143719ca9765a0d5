"""A ``NamedTuple`` provider in a module with ``from __future__ import annotations``: its
fields' annotations name classes of its own module, although its generated ``__new__``
lives in a namespace of its own; an unknown name is an error naming the field as written."""

from __future__ import annotations

import functools
from typing import Annotated, NamedTuple

import pytest

from injectkit import Container, Depends, InjectionError


class Settings:
    pass


class Config(NamedTuple):
    settings: Settings
    retries: int = 3


class Broken(NamedTuple):
    settings: Settings  # found in this module
    missing: Missing  # type: ignore[name-defined]  # noqa: F821


class Addressed(NamedTuple):  # read by the module-level handler only
    settings: Settings


class Retrying(NamedTuple):  # read through a partial only
    settings: Settings
    retries: int = 3


# Decorated at module level: no function's locals to fall back on.
module_container = Container()
module_container.register(Settings)
module_container.register(Addressed)


@module_container.inject
def module_handler(addressed: Addressed) -> Addressed:
    return addressed


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
    """``missing: Missing`` is reported with the field and the name as written (the field
    before it, ``settings: Settings``, is found in this module)."""
    c = Container()
    c.register(Broken)

    @c.inject
    def handler(broken: Broken) -> None:
        pass

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    assert raised.value.message == (
        "Cannot evaluate the annotation 'Missing' of parameter 'missing' of Broken: "
        "name 'Missing' is not defined."
    )
    assert raised.value.path == ("handler", "Broken")
    assert raised.value.requested == "Missing"


def test_a_namedtuple_used_at_module_level_gets_the_module_classes() -> None:
    """A handler decorated at module level (no enclosing function) gets its NamedTuple."""
    assert isinstance(module_handler().settings, Settings)


def test_a_partial_of_a_namedtuple_reads_the_namedtuple_fields() -> None:
    """``functools.partial(Retrying, retries=5)`` in Depends: Settings is injected and the
    partial's keyword kept."""
    c = Container()
    c.register(Settings)

    @c.inject
    def handler(
        config: Annotated[Retrying, Depends(functools.partial(Retrying, retries=5))],
    ) -> Retrying:
        return config

    config = handler()
    assert isinstance(config.settings, Settings)
    assert config.retries == 5


def test_a_class_whose_module_is_gone_is_explained_like_any_other() -> None:
    """A class naming a module that is not imported (made by ``type()``), whose
    ``__init__`` names an unknown class: the usual error naming the parameter."""

    def init(self: object, mailer: Mailer) -> None:  # type: ignore[name-defined]  # noqa: F821
        pass

    Orphan = type("Orphan", (), {"__module__": "no_such_module", "__init__": init})
    c = Container()
    c.register(Orphan)

    @c.inject
    def handler(orphan: Orphan) -> None:  # type: ignore[valid-type]
        pass

    with pytest.raises(InjectionError) as raised:
        c.validate(handler)
    assert raised.value.message == (
        "Cannot evaluate the annotation 'Mailer' of parameter 'mailer' of Orphan: "
        "name 'Mailer' is not defined."
    )
