from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from injectkit import BackgroundTasks, Container, Depends
from injectkit.testing import explain, unused_providers

container = Container()


class Settings:
    pass


class Pool:
    pass


class Session:
    pass


class Cache:
    pass


@container.provider(scope="app")
def settings() -> Settings:
    return Settings()


@container.provider(scope="app")
async def pool(settings: Settings) -> AsyncIterator[Pool]:
    yield Pool()


@container.provider
def session(pool: Pool) -> Iterator[Session]:
    yield Session()


@container.provider(scope="app")
def cache() -> Cache:
    return Cache()


def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
    return q


@container.inject
async def send_notification(
    email: str, q: Annotated[str | None, Depends(get_query)], db: Session
) -> None:
    pass


explanation = explain(container, send_notification)
print(explanation)
print(explanation.by_scope())
print("unused:", unused_providers(container))

# Output:
# send_notification pulls in 4 provider(s):
#   request  get_query <- BackgroundTasks
#   app      settings
#   app      pool (yield) <- settings
#   request  session (yield) <- pool
# from the call: email, q=None
# from the request scope: BackgroundTasks
# finalizers when the request closes: session
# finalizers when the container closes: pool
# {'app': ('settings', 'pool'), 'request': ('get_query', 'session')}
# unused: [<class '__main__.Cache'>]
