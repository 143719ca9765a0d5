import itertools
from collections.abc import AsyncIterator

import anyio

from injectkit import Container

container = Container()
numbers = itertools.count(1)


class Session:
    def __init__(self) -> None:
        self.number = next(numbers)


@container.provider
async def open_session() -> AsyncIterator[Session]:
    session = Session()
    print(f"session {session.number} opened")
    yield session
    print(f"session {session.number} closed")


@container.inject
async def load_user(user_id: int, session: Session) -> str:
    return f"user {user_id} via session {session.number}"


@container.inject
async def load_orders(user_id: int, session: Session) -> str:
    return f"orders of {user_id} via session {session.number}"


async def main() -> None:
    # Without an open scope, each call opens (and closes) its own.
    print(await load_user(7))
    print(await load_orders(7))

    # Inside one request scope, calls share its request-scoped values.
    async with container.request() as scope:
        print(await load_user(7))
        print(await scope.call(load_orders, 7))
        session = await scope.resolve(Session)
        print(f"resolved session {session.number}")
    print("scope closed")


anyio.run(main)

# Output:
# session 1 opened
# session 1 closed
# user 7 via session 1
# session 2 opened
# session 2 closed
# orders of 7 via session 2
# session 3 opened
# user 7 via session 3
# orders of 7 via session 3
# resolved session 3
# session 3 closed
# scope closed
