from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Mailer:
    pass


def transaction() -> Iterator[str]:
    yield "tx"


def audit_log(tx: Annotated[str, Depends(transaction, scope="function")]) -> str:
    return tx


async def fetch_rates() -> AsyncIterator[float]:
    yield 1.0


def send_mail(mailer: Mailer) -> None:  # Mailer is not registered
    pass


@container.inject
def signup(mail: Annotated[None, Depends(send_mail)]) -> None:
    pass


@container.inject
def transfer(log: Annotated[str, Depends(audit_log)]) -> None:
    pass


@container.inject
def quote(rate: Annotated[float, Depends(fetch_rates)]) -> None:
    pass


container.validate()  # checks every injected function and reports every problem
