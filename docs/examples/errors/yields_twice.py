from collections.abc import Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()


def connection() -> Iterator[str]:
    yield "primary"
    yield "replica"  # a provider yields exactly once


@container.inject
def handler(conn: Annotated[str, Depends(connection)]) -> str:
    return conn


handler()
