"""A decorator (functools.wraps) from another module, which defines a class named like
one of a test's (tests/test_signature_reading.py): the decorated function's annotations
must be read in the function's own module."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class Signature:
    pass


def passthrough(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper
