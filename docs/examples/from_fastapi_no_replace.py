from typing import Annotated

from injectkit import Container, Depends, InjectionError

container = Container()


def get_user(token: str) -> str:
    return f"user for {token}"


@container.inject
def greet(user: Annotated[str, Depends(get_user)]) -> str:
    return f"Hello, {user}"


try:
    greet(user="ada")  # FastDepends would use "ada" and skip get_user
except InjectionError as exc:
    print(exc)

# Instead: override the dependency; every dependent sees the replacement.
with container.override(get_user, lambda: "ada"):
    print(greet())
    print(greet(token="t-1"))  # what a call may pass stays the same under an override

# Output:
# greet got unexpected keyword argument(s) user: user is
# injected.
#   chain: greet
#   hint: the names a call may pass are: token. Injected parameters cannot be
#         passed by the caller; to replace a dependency, override it.
# Hello, ada
# Hello, ada
