from typing import Annotated

from injectkit import Container, Depends

container = Container()


def get_user(token: str) -> str:
    return token


@container.inject
def profile(user: Annotated[str, Depends(get_user)]) -> str:
    return user


profile()  # nobody passed token=...
