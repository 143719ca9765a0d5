"""A handler's own parameter of a class nothing provides: at the call, or validate(strict=True).

By default ``mailer: Mailer`` on the injected function itself is a free parameter (a
caller may pass it), found missing at the call with an error that leads with the
unregistered type.  ``validate(strict=True)``, which the adapters and the pytest plugin
use, reports it before anything runs.
"""

import enum
from typing import Annotated

import pytest

from injectkit import Container, Depends, UnresolvableDependencyError

pytestmark = pytest.mark.anyio


class Mailer:
    pass


class Color(enum.Enum):
    RED = "red"


def test_lenient_validation_leaves_a_handler_class_parameter_to_the_call() -> None:
    """validate() accepts ``mailer: Mailer`` on the handler: a call may pass one."""
    container = Container()

    @container.inject
    def signup(email: str, mailer: Mailer) -> Mailer:
        return mailer

    container.validate()
    mailer = Mailer()
    assert signup("ada@example.com", mailer=mailer) is mailer


def test_strict_validation_reports_a_handler_class_parameter_as_unregistered() -> None:
    """validate(strict=True) names the unregistered type before anything runs."""
    container = Container()
    ran: list[str] = []

    @container.provider
    def name() -> str:
        ran.append("name")
        return "ada"

    @container.inject
    def signup(email: str, mailer: Mailer) -> None:
        ran.append("signup")

    with pytest.raises(UnresolvableDependencyError) as info:
        container.validate(strict=True)
    assert info.value.message == (
        "`Mailer` is not registered in the container, so nothing provides `mailer` to signup."
    )
    assert info.value.path == ("signup",)
    assert ran == []


def test_strict_validation_exempts_the_parameters_the_caller_passes() -> None:
    """``passed={"mailer"}`` tells strict validation that the caller provides mailer."""
    container = Container()

    @container.inject
    def signup(email: str, mailer: Mailer) -> None:
        pass

    container.validate(strict=True, passed={"mailer"})


def test_strict_validation_accepts_plain_values_defaults_and_enums() -> None:
    """``str``, ``int``, an Enum or a class with a default stay free parameters."""
    container = Container()

    @container.inject
    def search(q: str, page: int, color: Color, mailer: Mailer | None = None) -> None:
        pass

    container.validate(strict=True)


def test_strict_validation_accepts_a_registered_handler_parameter() -> None:
    """A registered class on the handler is injected, so strict validation is satisfied."""
    container = Container()
    container.register(Mailer)

    @container.inject
    def signup(mailer: Mailer) -> None:
        pass

    container.validate(strict=True)


def test_strict_validation_reports_handlers_given_by_name() -> None:
    """validate(f, strict=True) checks the given function's own parameters too."""
    container = Container()

    def plain(mailer: Mailer) -> None:
        pass

    with pytest.raises(UnresolvableDependencyError):
        container.validate(plain, strict=True)
    container.validate(plain)


def test_an_enum_parameter_of_a_provider_is_a_value_from_the_call() -> None:
    """A provider's ``color: Color`` is a plain value a call passes, not a missing provider."""
    container = Container()

    def pick(color: Color) -> str:
        return color.value

    @container.inject
    def handler(chosen: Annotated[str, Depends(pick)]) -> str:
        return chosen

    container.validate(strict=True)
    assert handler(color=Color.RED) == "red"


async def test_the_call_time_error_leads_with_the_unregistered_type(anyio_backend: str) -> None:
    """An async call that does not pass ``mailer``: "`Mailer` is not registered ..." first."""
    container = Container()

    @container.inject
    async def signup(email: str, mailer: Mailer) -> None:
        pass

    with pytest.raises(UnresolvableDependencyError) as info:
        await signup("ada@example.com")
    assert str(info.value).startswith(
        "`Mailer` is not registered in the\ncontainer, and the call did not pass `mailer`"
    )
    assert info.value.hint is not None
    assert info.value.hint.startswith("register a provider for Mailer")


def test_the_sync_call_time_error_leads_with_the_unregistered_type() -> None:
    """The same message for a sync injected function."""
    container = Container()

    @container.inject
    def signup(mailer: Mailer) -> None:
        pass

    with pytest.raises(UnresolvableDependencyError, match=r"^`Mailer` is not registered"):
        signup()


def test_a_missing_plain_value_keeps_its_message() -> None:
    """A missing ``token: str`` is still "Missing value for parameter ..."."""
    container = Container()

    @container.inject
    def handler(token: str) -> None:
        pass

    with pytest.raises(UnresolvableDependencyError, match=r"^Missing value for parameter"):
        handler()
