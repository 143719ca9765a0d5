"""``override``: several of ``Container.override`` at once, undone together."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from .._container import Container
from .._exceptions import InjectionError
from .._wording import safe_repr
from ._core_access import require_container

__all__ = ["override"]


@contextmanager
def override(
    container: Container, replacements: Mapping[Any, Any], *, local: bool = False
) -> Iterator[None]:
    """Replace every ``target: replacement`` of ``replacements`` for the ``with`` block.

    Each pair means what ``container.override(target, replacement)`` means: ``target`` is a
    registered type or a callable used in ``Depends``; a callable replacement is resolved
    like any provider, anything else is the value.  Values built from the replaced
    providers, app-scoped ones included, are rebuilt inside the block, and the originals
    come back after it.  ``local=True`` limits the overrides to the current context (this
    task and the tasks it starts), so tests running concurrently can differ.
    """
    require_container(container, "override")
    if not isinstance(replacements, Mapping):
        raise InjectionError(
            f"override() takes a mapping of target to replacement, got {safe_repr(replacements)}.",
            hint="override(container, {Session: fake(FakeSession())}).",
        )
    with ExitStack() as stack:
        for target, replacement in replacements.items():
            stack.enter_context(container.override(target, replacement, local=local))
        yield
