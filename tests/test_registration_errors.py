"""The mistakes register() and Container() refuse, each word for word: the call as the
user wrote it (``register(Settings)``, ``Container(task_timeout=...)``), what is wrong,
and a hint that names the fix."""

from __future__ import annotations

from typing import Any

import pytest

from injectkit import BackgroundTasks, Container, InjectionError


class Settings:
    pass


TOO_GENERAL_HINT = (
    "provide a concrete class (or a NewType) and annotate the parameters that need it with "
    "that type."
)


@pytest.mark.parametrize(("key", "shown"), [(Any, "Any"), (object, "object"), (None, "None")])
def test_a_key_too_general_to_provide_is_refused(key: Any, shown: str) -> None:
    """register(Any), register(object) and register(None) would capture every parameter
    annotated so: refused, with the fix."""
    with pytest.raises(InjectionError) as raised:
        Container().register(key, lambda: 1)
    assert raised.value.message == (
        f"register({shown}): {shown} is too general to be provided: every parameter "
        "annotated with it would receive this value."
    )
    assert raised.value.hint == TOO_GENERAL_HINT


def test_registering_background_tasks_is_refused() -> None:
    """BackgroundTasks belongs to the request: register(BackgroundTasks) says so."""
    with pytest.raises(InjectionError) as raised:
        Container().register(BackgroundTasks, BackgroundTasks)
    assert raised.value.message == (
        "BackgroundTasks is provided by every request scope and cannot be registered."
    )
    assert raised.value.hint == (
        "declare a parameter of type BackgroundTasks wherever you need it."
    )


def test_a_provider_that_is_not_callable_is_refused_with_the_lambda_fix() -> None:
    """register(Settings, 42): the hint says how to register a ready-made value."""
    with pytest.raises(InjectionError) as raised:
        Container().register(Settings, 42)  # type: ignore[arg-type]
    assert raised.value.message == "register(Settings): the provider 42 is not callable."
    assert raised.value.hint == (
        "pass a class, a function or a generator function; to register a ready-made value "
        "use `lambda: value` with scope='app'."
    )


def test_an_unhashable_key_is_refused_naming_it() -> None:
    """register([1], ...): the key is shown, with the reason and the fix."""
    with pytest.raises(InjectionError) as raised:
        Container().register([1], lambda: 1)
    assert raised.value.message == (
        "register([1]): [1] cannot be used as a key (TypeError: unhashable type: 'list')."
    )
    assert raised.value.hint == "register a class or a NewType."


def test_an_unknown_scope_is_refused_naming_the_registration() -> None:
    """register(Settings, scope="bogus") names the call and the scopes it accepts."""
    with pytest.raises(InjectionError) as raised:
        Container().register(Settings, scope="bogus")  # type: ignore[arg-type]
    assert raised.value.message == "register(Settings): scope='bogus' is not accepted here."
    assert raised.value.hint == "use one of 'app', 'request', 'function', 'transient'."


@pytest.mark.parametrize("option", ["task_timeout", "finalizer_timeout", "shutdown_grace"])
def test_a_bad_time_limit_names_the_container_option(option: str) -> None:
    """Container(<option>=-1) names the option as the user wrote it."""
    with pytest.raises(InjectionError) as raised:
        Container(**{option: -1})
    assert raised.value.message == (
        f"Container({option}=...) takes a number of seconds greater than 0, or None for no "
        "limit; got -1."
    )


def test_a_bad_thread_limit_hints_at_the_default() -> None:
    """Container(thread_limit=0) is refused, and the hint gives the default."""
    with pytest.raises(InjectionError) as raised:
        Container(thread_limit=0)
    assert raised.value.message == (
        "Container(thread_limit=...) takes a number of threads, 1 or more; got 0."
    )
    assert raised.value.hint == "pass e.g. 40 (the default)."
