from typing import Annotated

from injectkit import Container, Depends

container = Container()


def get_query(q: str | None = None) -> str | None:
    return q


@container.inject
def search(email: str, query: Annotated[str | None, Depends(get_query)]) -> str:
    return f"{email}: {query}"


search("ada@example.com", query="injectkit")  # `query` is injected; the caller's name is q
