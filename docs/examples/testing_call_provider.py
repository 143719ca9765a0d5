from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import anyio

from injectkit import Container, Depends
from injectkit.testing import call_provider

container = Container()


@dataclass
class Session:
    dsn: str


@dataclass
class User:
    name: str
    session: Session


@container.provider
def session() -> Iterator[Session]:
    yield Session("postgres://prod")
    print("  session closed")


def user_name(user_id: int) -> str:
    return f"user-{user_id}"


def get_user(session: Session, name: Annotated[str, Depends(user_name)]) -> User:
    return User(name, session)


async def main() -> None:
    # By parameter name: `name` is given, `session` is resolved as usual.
    print(await call_provider(container, get_user, name="ada"))
    # By type: every parameter annotated Session gets the fake; `user_id` reaches the
    # free parameter of user_name deeper in the graph.
    print(await call_provider(container, get_user, {Session: Session("sqlite://")}, user_id=7))
    # A registered type runs its provider; in an open scope its teardown waits for the end.
    async with container.request() as scope:
        print(await call_provider(scope, Session))
    print("scope closed")


anyio.run(main)

# Output:
#   session closed
# User(name='ada', session=Session(dsn='postgres://prod'))
# User(name='user-7', session=Session(dsn='sqlite://'))
# Session(dsn='postgres://prod')
#   session closed
# scope closed
