from collections.abc import Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()


def transaction() -> Iterator[str]:
    try:
        yield "tx"
    except ValueError:
        print("rolled back")  # and forgot to re-raise


@container.inject
def transfer(tx: Annotated[str, Depends(transaction)]) -> None:
    raise ValueError("insufficient funds")


try:
    transfer()
except ValueError as exc:
    print(f"caller still got {exc!r}")

# Output:
# rolled back
# caller still got ValueError('insufficient funds')

# Stderr:
# ...RuntimeWarning: Provider transaction swallowed ValueError in its finalizer; injectkit...
# ...
