from collections.abc import Iterator

from injectkit import Container

container = Container()


class Session:
    pass


@container.provider
def open_session() -> Iterator[Session]:
    if False:
        yield Session()  # never reached: the generator ends without a value


@container.inject
def handler(session: Session) -> None:
    pass


handler()
