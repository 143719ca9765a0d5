"""Phase 1 for one container: each callable's signature, read once and kept.

A signature's string annotations are evaluated in the namespace of the code that
decorated or registered the callable (remembered here), so a class defined in a
function body can be named in a forward reference.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from ._introspect import Signature, read_signature

__all__ = ["Signatures"]


class Signatures:
    """The signatures a container has read, and the namespaces to read them in."""

    def __init__(self) -> None:
        self._read: dict[Any, Signature] = {}
        self._namespaces: dict[Any, dict[str, Any]] = {}
        self._evaluated: dict[tuple[str, int], tuple[Any, Any]] = {}  # string annotations

    def remember_namespace(self, func: Any, namespace: dict[str, Any] | None) -> None:
        """Evaluate ``func``'s string annotations in ``namespace`` (its caller's locals)."""
        if namespace:
            # An unhashable callable (or one whose __hash__ raises) keeps no namespace.
            with contextlib.suppress(Exception):
                self._namespaces[func] = namespace

    def namespace(self, func: Any) -> dict[str, Any] | None:
        try:
            return self._namespaces.get(func)
        except Exception:  # unhashable, or a __hash__ that raises
            return None

    def read(self, func: Callable[..., Any], fallback: dict[str, Any] | None = None) -> Signature:
        """``func``'s signature, cached per callable; ``fallback`` locals help local
        forward references of a callable with no namespace of its own."""
        try:
            signature = self._read.get(func)
        except Exception:  # an unhashable callable object (or its __hash__ raised): read it
            return read_signature(func, self.namespace(func) or fallback, self._evaluated)
        if signature is None:
            namespace = self.namespace(func) or fallback
            signature = self._read[func] = read_signature(func, namespace, self._evaluated)
        return signature

    def reader(self, root: Signature | None) -> Callable[[Callable[..., Any]], Signature]:
        """``read`` for the providers of ``root``'s graph: they fall back on the
        namespace ``root`` was decorated in."""
        fallback = self.namespace(root.call) if root is not None else None
        return functools.partial(self.read, fallback=fallback)
