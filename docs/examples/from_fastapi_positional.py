from typing import Annotated

from injectkit import Container, Depends, InjectionError

container = Container()


def get_user(token: str) -> str:
    return f"user for {token}"


@container.inject
def greet(greeting: str, user: Annotated[str, Depends(get_user)]) -> str:
    return f"{greeting}, {user}"


# Positional arguments fill greet's own free parameters, in order: here only `greeting`.
print(greet("Hello", token="t-1"))

# `token` belongs to a sub-dependency: a positional value never reaches it.
try:
    greet("Hello", "t-1")
except InjectionError as exc:
    print(exc)

# Output:
# Hello, user for t-1
# greet takes 1 positional argument(s) that are not
# injected (greeting), but 2 were given.
#   chain: greet
#   hint: leave out the value(s) for user: injected parameters cannot be passed by
#         the caller (override their dependency instead).
