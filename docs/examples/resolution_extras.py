from typing import Annotated, Any

from typing_extensions import TypeAliasType

from injectkit import Container, Depends, InjectionError

container = Container()


class Session:
    pass


def get_db() -> Session:
    return Session()


def get_token(x_token: str = "anonymous") -> str:
    return x_token


# `type DB = Annotated[Session, Depends(get_db)]` on Python 3.12+.
DB = TypeAliasType("DB", Annotated[Session, Depends(get_db)])


@container.inject
def log_event(
    name: str, db: DB, token: Annotated[str, Depends(get_token)], *args: Any, **fields: Any
) -> None:
    print(f"{name} by {token}: args={args} fields={fields}")


log_event("login", "extra", x_token="ada", ip="127.0.0.1")


@container.inject
def create_note(title: str, token: Annotated[str, Depends(get_token)]) -> str:
    return title


try:
    create_note(title="t", x_tokn="ada")
except InjectionError as error:
    assert error.hint is not None
    print(error.hint.split(" The names")[0])

# Output:
# login by ada: args=('extra',) fields={'ip': '127.0.0.1'}
# 'x_tokn': did you mean 'x_token'?
