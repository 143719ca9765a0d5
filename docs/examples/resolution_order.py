from typing import Annotated

import anyio

from injectkit import BackgroundTasks, Container, Depends

container = Container()


class Request:  # stands in for a web framework's request object
    def __init__(self, path: str) -> None:
        self.path = path


class Database:
    def __init__(self, name: str = "main") -> None:
        self.name = name


container.register(Database)


def replica() -> Database:
    return Database("replica")


def get_page(request: Request, page: int = 1) -> str:
    return f"{request.path}?page={page}"


@container.inject
async def list_users(
    team: str,  # 4. free: from the call (positional or keyword)
    report: Annotated[Database, Depends(replica)],  # 1. an explicit marker wins
    request: Request,  # 2. a type from the request context
    tasks: BackgroundTasks,  # 2. the request's BackgroundTasks
    db: Database,  # 3. a registered type
    page: Annotated[str, Depends(get_page)],  # its own `page` is free
    verbose: bool = False,  # 4. free, else its default
) -> str:
    return f"{team}: {report.name} {db.name} {page} verbose={verbose} tasks={len(tasks)}"


async def main() -> None:
    async with container.request(context={Request: Request("/users")}) as scope:
        print(await scope.call(list_users, "core"))
    async with container.request(context={Request: Request("/users")}):
        # `page=2` is offered to every free parameter named `page`: get_page gets it,
        # although the handler's own `page` is injected.
        print(await list_users(team="core", page=2, verbose=True))


anyio.run(main)

# Output:
# core: replica main /users?page=1 verbose=False tasks=0
# core: replica main /users?page=2 verbose=True tasks=0
