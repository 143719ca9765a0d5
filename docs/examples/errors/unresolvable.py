from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Database:
    pass


class UserRepository:
    def __init__(self, db: Database) -> None:  # nothing provides Database
        self.db = db


def get_user(repo: Annotated[UserRepository, Depends()]) -> str:
    return "ada"


@container.inject
def handler(user: Annotated[str, Depends(get_user)]) -> str:
    return user


container.validate()
