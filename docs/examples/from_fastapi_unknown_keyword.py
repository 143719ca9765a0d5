from typing import Annotated

from injectkit import Container, Depends, InjectionError

container = Container()


def get_items(limit: int = 10) -> list[int]:
    return list(range(limit))


@container.inject
def count(items: Annotated[list[int], Depends(get_items)]) -> int:
    return len(items)


print(count(limit=3))
try:
    count(limt=3)  # a typo: FastDepends would drop it and use limit=10
except InjectionError as exc:
    print(exc)

# Output:
# 3
# count got unexpected keyword argument(s) limt: no free
# parameter of its graph has that name.
#   chain: count
#   hint: 'limt': did you mean 'limit'? The names a call may pass are: limit.
#         Injected parameters cannot be passed by the caller; to replace a
#         dependency, override it.
