from typing import Annotated

import anyio

from injectkit import Container, Depends

container = Container()


def get_user(token: str) -> str:
    print(f"looking up {token}")
    return f"user for {token}"


@container.inject
async def whoami(user: Annotated[str, Depends(get_user)]) -> str:
    return user


def fresh_user(token: str) -> str:
    return f"user for {token}"


@container.inject
async def whoami_fresh(user: Annotated[str, Depends(fresh_user, use_cache=False)]) -> str:
    return user


async def main() -> None:
    # Each plain call opens its own request scope: nothing is shared between them.
    print(await whoami(token="t-1"), "/", await whoami(token="t-2"))

    # Calls that join one request scope share its values, whatever their arguments:
    # get_user ran once, for t-1, and the second call gets that user.
    async with container.request() as scope:
        print(await scope.call(whoami, token="t-1"), "/", await scope.call(whoami, token="t-2"))

    # Instead: use_cache=False (or a scope per call) for a value that depends on arguments.
    async with container.request() as scope:
        first = await scope.call(whoami_fresh, token="t-1")
        print(first, "/", await scope.call(whoami_fresh, token="t-2"))


anyio.run(main)

# Output:
# looking up t-1
# looking up t-2
# user for t-1 / user for t-2
# looking up t-1
# user for t-1 / user for t-1
# user for t-1 / user for t-2
