from collections.abc import Iterator

from injectkit import Container

container = Container()


class Session:
    pass


class Cache:
    def __init__(self, session: Session) -> None:
        self.session = session


@container.provider(scope="request")
def open_session() -> Iterator[Session]:
    yield Session()


@container.provider(scope="app")  # lives longer than the session it holds
def build_cache(session: Session) -> Cache:
    return Cache(session)


@container.inject
def handler(cache: Cache) -> None:
    pass


handler()
