from typing import Annotated

from injectkit import Container, Depends

container = Container()


class User:
    def __init__(self, name: str) -> None:
        self.name = name


def current_user(x_token: str) -> User:
    return User(x_token)


def fake_user(name: str = "fake") -> User:
    return User(name)


@container.inject
def create_note(title: str, user: Annotated[User, Depends(current_user)]) -> str:
    return f"{title!r} by {user.name}"


print(create_note(title="t", x_token="ada"))
with container.override(current_user, fake_user):
    # The production call still works: x_token is accepted, and nothing reads it now.
    print(create_note(title="t", x_token="ada"))
    # The replacement's own parameter can be passed too.
    print(create_note(title="t", x_token="ada", name="bob"))

# Output:
# 't' by ada
# 't' by fake
# 't' by bob
