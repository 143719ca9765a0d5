from collections.abc import Iterator

from injectkit import Container

container = Container()


class Session:
    pass


@container.provider
def open_session() -> Iterator:  # what does it yield?
    yield Session()
