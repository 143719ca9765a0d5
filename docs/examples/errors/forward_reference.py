from __future__ import annotations

from typing import TYPE_CHECKING

from injectkit import Container

if TYPE_CHECKING:  # only imported for the type checker, so unknown at run time
    from decimal import Decimal

container = Container()


@container.inject
def total(price: Decimal) -> str:
    return str(price)


container.validate()
