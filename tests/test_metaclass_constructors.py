"""A class whose metaclass defines ``__call__`` (the singleton pattern) is built through
that ``__call__``, whose parameters and annotations are what Python reads for the class,
in the metaclass' module, even under ``from __future__ import annotations``."""

from __future__ import annotations

from typing import Any

from injectkit import Container


class Singleton(type):
    """One instance per class: the usual singleton metaclass."""

    instances: dict[type, Any] = {}  # noqa: RUF012 - shared on purpose

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls not in Singleton.instances:
            Singleton.instances[cls] = super().__call__(*args, **kwargs)
        return Singleton.instances[cls]


class Config(metaclass=Singleton):
    pass


def test_a_singleton_class_registers_and_is_built_once() -> None:
    """``class Config(metaclass=Singleton)`` registered as itself: injected, built once
    (its metaclass' ``-> Any`` is evaluated in the metaclass' module, not refused)."""
    c = Container()
    c.register(Config)

    @c.inject
    def handler(config: Config) -> Config:
        return config

    first = handler()
    assert type(first) is Config
    assert handler() is first
