from collections.abc import Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Session:
    pass


@container.provider
def open_session() -> Iterator[Session]:
    print("session opened")
    yield Session()
    print("session closed")


def lock() -> Iterator[str]:
    print("  lock taken")
    yield "lock"
    print("  lock released")


@container.inject
def reserve(
    item: str, session: Session, held: Annotated[str, Depends(lock, scope="function")]
) -> Session:
    print(f"  reserved {item}")
    return session


@container.inject
def checkout(session: Session) -> None:
    # Nested injected calls join the open request scope and share its values.
    print(f"  same session: {reserve(item='book') is session}")
    print(f"  same session: {reserve(item='pen') is session}")
    print("checkout done")


checkout()

# Output:
# session opened
#   lock taken
#   reserved book
#   lock released
#   same session: True
#   lock taken
#   reserved pen
#   lock released
#   same session: True
# checkout done
# session closed
