"""The app-scoped graph tests/test_sync_app_values.py and tests/test_async_app_values.py
build: app Settings and Service, a transient generator Client between them that takes a
positional app value and a keyword-only one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from injectkit import Container, Depends


class Settings:
    pass


class Client:
    def __init__(self, settings: Settings, retries: int) -> None:
        self.settings = settings
        self.retries = retries


class Service:
    def __init__(self, client: Client, *, settings: Settings) -> None:
        self.client = client
        self.settings = settings


def app_values_container(events: list[str]) -> Container:
    c = Container()
    c.register(Settings, scope="app")
    c.register(Service, scope="app")

    def retries() -> int:
        return 5

    @c.provider(scope="transient")
    def client(
        retries: Annotated[int, Depends(retries, scope="app")], *, settings: Settings
    ) -> Iterator[Client]:
        events.append("client opened")
        yield Client(settings, retries)
        events.append("client closed")

    return c
