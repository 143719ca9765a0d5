"""A container's overrides: permanent (``container.overrides``), for a ``with`` block
(``container.override(...)``) and context-local ones (``override(..., local=True)``).

This module keeps them and says which replacement is in force; the container decides
what an override change invalidates (its ``changed`` and ``empty_slots`` callbacks,
run under its lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ._aliases import unwrap_alias
from ._annotated_keys import refuse_annotated_key
from ._exceptions import InjectionError
from ._introspect import type_name, unwrap_injected
from ._wording import exception_text, safe_repr

__all__ = ["Layer", "Overrides", "override_target"]


def override_target(key: Any) -> Any:
    """What an override is keyed by: the function under an injected wrapper, the value of
    a type alias."""
    return unwrap_alias(unwrap_injected(key))


def checked_target(key: Any, form: str) -> Any:
    """:func:`override_target` for a new override, refused with an InjectionError if
    nothing could ever look it up (``Annotated[...]``) or it cannot be a key; ``form``
    is how the user spelled it (``"override({})"``), for the message."""
    target = override_target(key)
    where = form.format(type_name(target))
    refuse_annotated_key(target, where, overriding=True)
    try:
        hash(target)
    except Exception as exc:
        raise InjectionError(
            f"{where}: {safe_repr(target)} cannot be overridden: it is not hashable "
            f"({exception_text(exc)}).",
            hint="override a registered type or the callable used in Depends(...).",
        ) from exc
    return target


class PermanentOverrides(MutableMapping[Any, Any]):
    """``container.overrides``: permanent overrides; every change recompiles plans."""

    def __init__(self, changed: Callable[[], None]) -> None:
        self._data: dict[Any, Any] = {}
        self._changed = changed

    def __getitem__(self, key: Any) -> Any:
        return self._data[override_target(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        target = checked_target(key, "overrides[{}]")
        self._data[target] = value
        self._changed()

    def __delitem__(self, key: Any) -> None:
        del self._data[override_target(key)]
        self._changed()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<overrides {self._data!r}>"


class Layer:
    """One context-local override (``override(..., local=True)``), linked to its parent;
    ``plans`` are the plans compiled under it (for the container's ``generation``)."""

    __slots__ = ("generation", "parent", "plans", "replacement", "target")

    def __init__(self, parent: Layer | None, target: Any, replacement: Any) -> None:
        self.parent = parent
        self.target = target
        self.replacement = replacement
        self.plans: dict[Any, Any] = {}  # the container's compiled plans under this layer
        self.generation = -1


class Overrides:
    """Every override of one container, and which replacement wins where.

    ``local`` is the context's innermost :class:`Layer`; ``local_count`` how many layers
    exist in any context (while there is one, no injected function keeps a plan of its
    own: the context calling it may need another).
    """

    def __init__(
        self,
        lock: threading.RLock,
        changed: Callable[[], None],
        empty_slots: Callable[[], None],
    ) -> None:
        self.permanent = PermanentOverrides(changed)
        self.local: ContextVar[Layer | None] = ContextVar("injectkit.overrides", default=None)
        self.local_count = 0
        self._scoped: list[tuple[object, Any, Any]] = []  # override() blocks, oldest first
        self._lock = lock
        self._changed = changed
        self._empty_slots = empty_slots

    def effective(self, layer: Layer | None) -> dict[Any, Any]:
        """Target -> replacement in force under ``layer``: permanent ones, then
        ``override()`` blocks, then local layers, the newest winning."""
        effective = dict(self.permanent)
        for _, target, replacement in self._scoped:
            effective[target] = replacement
        chain = []
        while layer is not None:
            chain.append(layer)
            layer = layer.parent
        for item in reversed(chain):
            effective[item.target] = item.replacement
        return effective

    def any(self, layer: Layer | None) -> bool:
        """Whether any override is in force under ``layer``."""
        return bool(self.permanent or self._scoped or layer is not None)

    @contextmanager
    def override(self, target: Any, replacement: Any, *, local: bool) -> Iterator[None]:
        """The body of :meth:`Container.override`."""
        target = checked_target(target, "override({})")
        if local:
            token = self.local.set(Layer(self.local.get(), target, replacement))
            with self._lock:
                self.local_count += 1
                self._empty_slots()
            try:
                yield
            finally:
                self.local.reset(token)
                with self._lock:  # the slots stayed empty while the layer existed
                    self.local_count -= 1
            return
        entry = (object(), target, replacement)
        with self._lock:
            self._scoped.append(entry)
            self._changed()
        try:
            yield
        finally:
            with self._lock:
                self._scoped = [e for e in self._scoped if e is not entry]
                self._changed()
