from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Settings:
    """A callable object whose signature is computed, and fails."""

    @property
    def __signature__(self) -> None:
        raise RuntimeError("settings are not loaded yet")

    def __call__(self) -> dict[str, str]:
        return {"dsn": "sqlite://"}


settings = Settings()


@container.inject
def handler(config: Annotated[dict[str, str], Depends(settings)]) -> None:
    pass


container.validate()
