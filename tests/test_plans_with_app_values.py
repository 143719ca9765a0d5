"""What a call builds when it needs app-scoped values beside request-scoped ones: every
request-scoped provider with its own dependencies, whichever parameter comes first, and
the app values once for the app."""

from __future__ import annotations

import pytest

from injectkit import Container

pytestmark = pytest.mark.anyio


class Settings:
    pass


class Session:
    pass


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session


def make_container(made: list[str]) -> Container:
    c = Container()

    def settings() -> Settings:
        made.append("settings")
        return Settings()

    def session() -> Session:
        made.append("session")
        return Session()

    def repository(session: Session) -> Repository:
        made.append("repository")
        return Repository(session)

    c.register(Settings, settings, scope="app")
    c.register(Session, session)
    c.register(Repository, repository)
    return c


async def test_request_values_listed_before_an_app_value_get_their_dependencies() -> None:
    """A handler taking a request value, then an app value, gets the request value built
    with its own dependencies; the app value is built once for the app."""
    made: list[str] = []
    c = make_container(made)

    @c.inject
    async def handler(repository: Repository, settings: Settings) -> tuple[Repository, Settings]:
        return repository, settings

    repository, settings = await handler()
    assert isinstance(repository.session, Session)
    assert isinstance(settings, Settings)
    again, settings_again = await handler()
    assert again is not repository
    assert settings_again is settings
    assert made == ["session", "repository", "settings", "session", "repository"]
