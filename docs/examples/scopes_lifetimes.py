import itertools
from collections.abc import Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()
numbers = itertools.count(1)


class Config:
    pass


class Session:
    pass


class RequestId:
    def __init__(self) -> None:
        self.value = next(numbers)


@container.provider(scope="app")
def load_config() -> Iterator[Config]:
    print("config loaded")
    yield Config()
    print("config released")


@container.provider(scope="request")
def open_session() -> Iterator[Session]:
    print("  session opened")
    yield Session()
    print("  session closed")


container.register(RequestId, scope="transient")


def open_cursor() -> Iterator[str]:
    print("  cursor opened")
    yield "cursor"
    print("  cursor closed")


def roll() -> int:
    return next(numbers)


@container.inject
def handler(
    config: Config,
    s1: Session,
    s2: Session,
    id1: RequestId,
    id2: RequestId,
    cursor: Annotated[str, Depends(open_cursor, scope="function")],
    a: Annotated[int, Depends(roll)],
    b: Annotated[int, Depends(roll)],
    fresh: Annotated[int, Depends(roll, use_cache=False)],
) -> None:
    print(f"  same session: {s1 is s2}, transient ids differ: {id1.value != id2.value}")
    print(f"  cached roll shared: {a == b}, use_cache=False is fresh: {fresh != a}")


with container:  # closing the container ends the app scope
    for call in (1, 2):
        print(f"call {call}")
        handler()
        print("  returned")

# Output:
# call 1
# config loaded
#   session opened
#   cursor opened
#   same session: True, transient ids differ: True
#   cached roll shared: True, use_cache=False is fresh: True
#   cursor closed
#   session closed
#   returned
# call 2
#   session opened
#   cursor opened
#   same session: True, transient ids differ: True
#   cached roll shared: True, use_cache=False is fresh: True
#   cursor closed
#   session closed
#   returned
# config released
