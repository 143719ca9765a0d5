from collections.abc import Iterator
from typing import Annotated

from injectkit import Depends, inject


def connect() -> Iterator[str]:
    yield "connection"


def repository(conn: Annotated[str, Depends(connect, scope="function")]) -> str:
    return f"repository on {conn}"  # request-scoped, but its connection closes earlier


@inject
def handler(repo: Annotated[str, Depends(repository)]) -> str:
    return repo


handler()
