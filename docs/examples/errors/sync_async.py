from collections.abc import AsyncIterator

from injectkit import Container

container = Container()


class Session:
    pass


@container.provider
async def open_session() -> AsyncIterator[Session]:
    yield Session()


@container.inject
def handler(session: Session) -> None:  # a sync handler cannot await the provider
    pass


handler()
