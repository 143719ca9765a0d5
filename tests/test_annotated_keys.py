"""``Annotated`` metadata never makes a key of its own: a parameter annotated
``Annotated[T, ...]`` is looked up as ``T``, and so is ``resolve(Annotated[T, ...])``;
registering ``Annotated[T, ...]`` (which nothing would ever look up) is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, NewType

import pytest

from injectkit import Container, Depends, InjectionError

pytestmark = pytest.mark.anyio


class Settings:
    def __init__(self, name: str = "default") -> None:
        self.name = name


PrimarySettings = NewType("PrimarySettings", Settings)


@pytest.mark.parametrize(
    "key",
    [Annotated[Settings, "primary"], Annotated[Settings, Depends(Settings)]],
    ids=["plain-metadata", "depends-marker"],
)
def test_registering_an_annotated_type_is_refused_with_the_newtype_fix(key: object) -> None:
    """register(Annotated[T, ...]) is an InjectionError naming T and the NewType to use."""
    container = Container()
    with pytest.raises(InjectionError) as caught:
        container.register(key, Settings)
    message = str(caught.value)
    assert message.startswith("register(Annotated[")
    assert "Annotated metadata does not make a key of its own" in message
    assert caught.value.message.endswith(
        ": Annotated metadata does not make a key of its own: a parameter is looked up by "
        "its type alone (Settings), or calls the function its Depends(...) names, so this "
        "would never be used."
    )
    assert caught.value.hint == (
        "register Settings itself, or, for a second kind of Settings, a NewType: "
        "Other = NewType('Other', Settings)."
    )


def test_a_provider_returning_annotated_does_not_silently_replace_the_plain_one() -> None:
    """A second provider annotated ``-> Annotated[Settings, "primary"]`` is refused, and
    the provider of Settings registered before it stays in force."""
    container = Container()

    @container.provider
    def settings() -> Settings:
        return Settings("plain")

    with pytest.raises(InjectionError, match="Annotated metadata does not make a key"):

        @container.provider
        def primary() -> Annotated[Settings, "primary"]:
            return Settings("primary")

    @container.inject
    def handler(value: Settings) -> str:
        return value.name

    assert handler() == "plain"


def test_a_generator_provider_yielding_annotated_is_refused() -> None:
    """``-> Iterator[Annotated[Settings, "x"]]`` is refused like the plain return."""
    container = Container()
    with pytest.raises(InjectionError, match="Annotated metadata does not make a key") as caught:

        @container.provider
        def settings() -> Iterator[Annotated[Settings, "x"]]:
            yield Settings()

    assert str(caught.value).startswith("register(Annotated[")


def get_settings() -> Settings:
    return Settings("from get_settings")


SettingsDep = Annotated[Settings, Depends(get_settings)]


@pytest.mark.parametrize("how", ["override", "overrides"])
@pytest.mark.parametrize(
    ("key", "hint"),
    [
        (Annotated[Settings, "x"], "override Settings itself."),
        (
            SettingsDep,
            "override get_settings (the function its Depends(...) calls), or Settings itself.",
        ),
    ],
    ids=["plain-metadata", "depends-alias"],
)
def test_overriding_an_annotated_type_is_refused_naming_what_to_override(
    how: str, key: object, hint: str
) -> None:
    """override(Annotated[T, ...]) and overrides[Annotated[T, ...]] are refused (they used
    to replace nothing, silently), with the hint naming T or the Depends function."""
    container = Container()
    container.register(Settings, get_settings)
    with pytest.raises(InjectionError) as caught:
        if how == "override":
            with container.override(key, lambda: Settings("fake")):
                pass
        else:
            container.overrides[key] = lambda: Settings("fake")
    assert "Annotated metadata does not make a key of its own" in str(caught.value)
    assert caught.value.hint == hint
    assert not container.overrides


def test_overriding_the_function_the_hint_names_replaces_the_dependency() -> None:
    """The fix the override hint names works: overriding get_settings replaces what a
    parameter annotated ``Annotated[Settings, Depends(get_settings)]`` receives."""
    container = Container()

    @container.inject
    def handler(settings: SettingsDep) -> str:
        return settings.name

    with container.override(get_settings, lambda: Settings("fake")):
        assert handler() == "fake"
    assert handler() == "from get_settings"


def test_a_newtype_is_the_second_key_the_hint_names() -> None:
    """The fix the hint names works: a NewType of Settings is a key of its own."""
    container = Container()
    container.register(Settings, lambda: Settings("plain"))
    container.register(PrimarySettings, lambda: PrimarySettings(Settings("primary")))

    @container.inject
    def handler(plain: Settings, primary: PrimarySettings) -> tuple[str, str]:
        return plain.name, primary.name

    assert handler() == ("plain", "primary")


async def test_resolve_of_annotated_metadata_gives_the_types_own_value() -> None:
    """resolve(Annotated[Settings, "doc"]) is resolve(Settings): the same request-scoped
    value a parameter annotated that way receives (it used to find nothing)."""
    container = Container()
    container.register(Settings, lambda: Settings("registered"))
    async with container.request() as request:
        documented = await request.resolve(Annotated[Settings, "doc"])
        plain = await request.resolve(Settings)
    assert documented is plain
    assert documented.name == "registered"


def test_resolve_sync_of_annotated_metadata_gives_the_types_own_value() -> None:
    """The sync resolve reads Annotated metadata the same way."""
    container = Container()
    container.register(Settings, lambda: Settings("registered"))
    with container.request() as request:
        assert request.resolve_sync(Annotated[Settings, "doc"]).name == "registered"


async def test_resolve_of_an_annotated_depends_calls_its_function() -> None:
    """resolve(Annotated[T, Depends(f)]) calls f, as a parameter annotated so would."""
    container = Container()
    container.register(Settings, lambda: Settings("registered"))

    def special() -> Settings:
        return Settings("special")

    async with container.request() as request:
        assert (await request.resolve(Annotated[Settings, Depends(special)])).name == "special"
