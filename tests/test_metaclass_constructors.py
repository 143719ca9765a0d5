"""A class whose metaclass defines ``__call__`` (the singleton pattern) is built through
that ``__call__``. When it names its parameters, they are what is injected, evaluated in
the metaclass' module even under ``from __future__ import annotations``; when it forwards
everything (``*args, **kwargs``), the class's own ``__init__`` or ``__new__`` says what to
inject."""

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


class Settings:
    pass


class Configured(type):
    """A metaclass whose ``__call__`` names what it takes: it is what Python calls."""

    def __call__(cls, settings: Settings) -> Any:
        instance = super().__call__()
        instance.settings = settings
        return instance


class Mailer(metaclass=Configured):
    settings: Settings


def test_a_singleton_class_gets_what_its_own_init_takes() -> None:
    """A singleton metaclass' ``__call__(cls, *args, **kwargs)`` forwards everything: the
    class's ``__init__`` says what to inject (it used to be called with nothing)."""

    class Database(metaclass=Singleton):  # a class per test: the singletons outlive it
        def __init__(self, settings: Settings, *, pool_size: int = 5) -> None:
            self.settings = settings
            self.pool_size = pool_size

    c = Container()
    c.register(Settings, scope="app")
    c.register(Database, scope="app")

    @c.inject
    def handler(db: Database, settings: Settings) -> Database:
        assert db.settings is settings
        return db

    assert handler().pool_size == 5


def test_a_singleton_class_with_its_own_new_gets_what_new_takes() -> None:
    """Without an ``__init__``, the class's ``__new__`` says what to inject."""

    class Cache(metaclass=Singleton):
        def __new__(cls, settings: Settings) -> Cache:
            cache = super().__new__(cls)
            cache.settings = settings  # type: ignore[attr-defined]
            return cache

    c = Container()
    c.register(Settings)
    c.register(Cache)

    @c.inject
    def handler(cache: Cache) -> Cache:
        return cache

    assert isinstance(handler().settings, Settings)  # type: ignore[attr-defined]


def test_a_metaclass_call_that_names_its_parameters_is_what_is_read() -> None:
    """A metaclass ``__call__(cls, settings)`` is what Python calls: its parameters are
    injected, not the class's ``__init__``'s."""
    c = Container()
    c.register(Settings)
    c.register(Mailer)

    @c.inject
    def handler(mailer: Mailer) -> Mailer:
        return mailer

    assert isinstance(handler().settings, Settings)


class Preset(type):
    """A metaclass whose ``__call__`` takes nothing: it supplies the arguments itself."""

    def __call__(cls) -> Any:
        return super().__call__(Settings())


class Tuned(metaclass=Preset):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


class Tagged(type):
    """A metaclass ``__call__`` naming a parameter and taking extra ones after it."""

    def __call__(cls, settings: Settings, *args: Any) -> Any:
        instance = super().__call__(*args)
        instance.settings = settings
        return instance


class Labelled(metaclass=Tagged):
    settings: Settings


def test_a_metaclass_call_taking_nothing_is_called_with_nothing() -> None:
    """``__call__(cls)`` names no parameter and forwards none: the class's own
    ``__init__(settings)`` is not what Python calls, so nothing is injected (Settings is
    not even registered)."""
    c = Container()
    c.register(Tuned)

    @c.inject
    def handler(tuned: Tuned) -> Tuned:
        return tuned

    assert isinstance(handler().settings, Settings)


def test_a_metaclass_call_naming_a_parameter_before_args_gets_it() -> None:
    """``__call__(cls, settings, *args)`` names ``settings``: it is injected, although the
    metaclass also takes ``*args``."""
    c = Container()
    c.register(Settings)
    c.register(Labelled)

    @c.inject
    def handler(labelled: Labelled) -> Labelled:
        return labelled

    assert isinstance(handler().settings, Settings)
