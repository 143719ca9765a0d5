from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Clock:
    def now(self) -> str:
        return "12:00"


def get_user(token: str) -> str:
    # `token` is free: nothing provides it, so it comes from the caller by name.
    print(f"looking up {token}")
    return {"t-1": "ada", "t-2": "grace"}[token]


def get_greeting(user: Annotated[str, Depends(get_user)]) -> str:
    return f"Hello, {user}"


@container.inject
def home(
    greeting: Annotated[str, Depends(get_greeting)],  # marker in Annotated
    clock: Annotated[Clock, Depends()],  # Depends() calls the annotated class
    user: str = Depends(get_user),  # marker as a default value
) -> str:
    return f"{greeting} ({user}), it is {clock.now()}"


print(home(token="t-1"))
print(home(token="t-2"))

# Output:
# looking up t-1
# Hello, ada (ada), it is 12:00
# looking up t-2
# Hello, grace (grace), it is 12:00
