from typing import Annotated

import anyio

from injectkit import Container, Depends

container = Container()


def current_user() -> str:
    return "ada"


@container.inject
async def whoami(user: Annotated[str, Depends(current_user)]) -> str:
    return user


seen: dict[str, str] = {}


async def as_user(name: str, ready: anyio.Event, go: anyio.Event) -> None:
    # local=True: only this task (and what it starts) sees the override.
    with container.override(current_user, lambda: name, local=True):
        ready.set()
        await go.wait()  # both overrides are active at the same time here
        seen[name] = await whoami()


async def main() -> None:
    go = anyio.Event()
    async with anyio.create_task_group() as tg:
        for name in ("grace", "linus"):
            ready = anyio.Event()
            tg.start_soon(as_user, name, ready, go)
            await ready.wait()
        seen["main"] = await whoami()
        go.set()
    for name in ("main", "grace", "linus"):
        print(f"{name} sees {seen[name]}")


anyio.run(main)

# Output:
# main sees ada
# grace sees grace
# linus sees linus
