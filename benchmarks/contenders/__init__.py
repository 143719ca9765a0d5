"""The contenders: one module per library, imported lazily.

A contender module defines:

- ``NAME`` (shown in the tables), ``DISTRIBUTION`` (whose version the report prints, or
  ``None``), ``WIRING`` (a sentence for the report on how it wires a request), and
  optionally ``version_detail()`` (appended to the version);
- one builder per shape it supports, named after the shape: ``single(graph) -> Case``,
  ``yield_tasks(shape) -> Case``, ...;
- optionally ``build(graph) -> Callable[[], Awaitable[Any]]``: register and validate
  (timed), returning the handler whose first call is timed next;
- optionally ``parallel_io() -> dict[str, Case | str]``: named variants; a string instead
  of a case says why that variant does not exist.

A builder that cannot express a shape raises :class:`Unsupported` with the reason; a
missing builder means the same. Importing the module fails with ``ImportError`` when the
library is not installed, and the harness then reports the contender as unavailable.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["CONTENDERS", "PEERS", "Case", "Contender", "Unsupported", "load"]


class Unsupported(Exception):
    """Raised by a builder for a shape its library cannot express."""


@dataclasses.dataclass
class Case:
    """One request, ready to time.

    ``call()`` performs one whole request -- open the request scope, resolve, call the
    handler, run background tasks, tear down -- and returns the handler's result. It is a
    coroutine function for async shapes and a plain function for sync ones.
    """

    call: Callable[[], Any]
    #: For ``yield_tasks``: this contender promises tasks run before the teardown.
    tasks_before_teardown: bool = False
    #: Shown under the table: how the contender implements the shape, where it differs.
    note: str = ""


#: key -> module name (under ``benchmarks.contenders``), in table order.
CONTENDERS: dict[str, str] = {
    "handwritten": "handwritten",
    "injectkit": "injectkit_",
    "injectkit-depends": "injectkit_depends",
    "fastapi": "fastapi_",
    "fast-depends": "fast_depends_",
    "dishka": "dishka_",
    "wireup": "wireup_",
    "dependency-injector": "dependency_injector_",
    "that-depends": "that_depends_",
}

#: The other libraries (what "ratio to best peer" compares against).
PEERS: frozenset[str] = frozenset(CONTENDERS) - {"handwritten", "injectkit", "injectkit-depends"}


@dataclasses.dataclass
class Contender:
    key: str
    name: str
    module: ModuleType | None
    version: str
    #: Why the contender could not be loaded (``module`` is then ``None``).
    unavailable: str | None = None

    def builder(self, shape: str) -> Callable[..., Any] | None:
        if self.module is None:
            return None
        builder: Callable[..., Any] | None = getattr(self.module, shape.replace("-", "_"), None)
        return builder


def load(key: str) -> Contender:
    """Import one contender; an uninstalled library gives an unavailable contender."""
    module_name = CONTENDERS[key]
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except ImportError as exc:
        return Contender(key, key, None, "", unavailable=f"not installed ({exc})")
    distribution: str | None = getattr(module, "DISTRIBUTION", None)
    version = ""
    if distribution:
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
    detail = getattr(module, "version_detail", None)
    if callable(detail):
        version = f"{version} {detail()}".strip()
    return Contender(key, getattr(module, "NAME", key), module, version)
