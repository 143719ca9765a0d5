"""``resolve(T)`` with nothing to provide ``T``: the error speaks of resolve(), not of
a parameter the user never wrote, and its hint names only fixes that apply to it."""

from __future__ import annotations

import pytest

from injectkit import Container, UnresolvableDependencyError

pytestmark = pytest.mark.anyio


class Mailer:
    pass


def test_resolve_of_an_unregistered_class_names_resolve_and_the_fixes() -> None:
    """resolve(Mailer) unregistered: the message says resolve(Mailer) has nothing to
    call; the hint offers registering or a Depends, never a default or a marker."""
    c = Container()
    with c.request() as request, pytest.raises(UnresolvableDependencyError) as caught:
        request.resolve_sync(Mailer)
    error = caught.value
    assert error.message == (
        "`Mailer` is not registered in the container, so resolve(Mailer) has nothing to call."
    )
    assert error.hint == (
        "register a provider for Mailer (container.register(Mailer, ...) or "
        "@container.provider), or resolve Annotated[Mailer, Depends(a_function)]."
    )
    assert error.requested == "Mailer"
    assert error.path == ("resolve(Mailer)",)


async def test_resolve_of_a_builtin_type_is_worded_the_same() -> None:
    """resolve(int): the same message (a builtin is not built by calling it), on the
    async resolve too."""
    c = Container()
    async with c.request() as request:
        with pytest.raises(UnresolvableDependencyError) as caught:
            await request.resolve(int)
    assert caught.value.message == (
        "`int` is not registered in the container, so resolve(int) has nothing to call."
    )
    assert caught.value.hint is not None and "default" not in caught.value.hint
    assert caught.value.requested == "int"


def test_a_providers_own_missing_parameter_under_resolve_keeps_the_parameter_wording() -> None:
    """Only resolve()'s own parameter is worded for resolve(): a provider it reaches that
    needs an unregistered Mailer is named with its parameter, as under a handler."""
    c = Container()

    class Service:
        def __init__(self, mailer: Mailer) -> None:
            self.mailer = mailer

    c.register(Service)
    with c.request() as request, pytest.raises(UnresolvableDependencyError) as caught:
        request.resolve_sync(Service)
    assert caught.value.message == (
        "`Mailer` is not registered in the container, so nothing provides `mailer` to Service."
    )
    assert caught.value.path == ("resolve(Service)", "Service")
