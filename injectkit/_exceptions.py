"""Errors about dependency graphs and injected calls.

Every error the library raises about a graph or a call is an :class:`InjectionError`::

    InjectionError                    a graph or a call is wrong; says where and what to do
    ├── UnresolvableDependencyError   a parameter nothing can provide
    ├── CircularDependencyError       providers that need each other; names every node
    └── ScopeError                    a value would outlive what it depends on

A sync call (``call_sync``, a sync injected function) that reaches an async provider is a
plain ``InjectionError`` naming the provider.

Errors keep structured fields (``path``, ``requested``, ``scope``, ``hint``) so tools can
read them; ``str(error)`` renders them the same way everywhere (see docs/errors.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from ._error_layout import WIDTH, error_lines
from ._wording import shortened

__all__ = [
    "CircularDependencyError",
    "InjectionError",
    "ScopeError",
    "UnresolvableDependencyError",
]


class InjectionError(Exception):
    """A dependency graph, a registration or an injected call is wrong.

    ``path`` is the chain of callables from the injected function to the problem (all of
    it; the message shortens a long one), ``requested`` what could not be provided (if
    anything), ``hint`` what to do about it.
    ``errors`` holds every problem when :meth:`Container.validate` found several.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Sequence[str] = (),
        requested: str | None = None,
        scope: str | None = None,
        hint: str | None = None,
        errors: Sequence[InjectionError] = (),
        key: Hashable = None,
    ) -> None:
        self.message = message
        # What makes two reports the same problem seen along different chains.
        self.key: Hashable = key if key is not None else (type(self), message)
        self.path = tuple(path)
        self.requested = requested
        self.scope = scope
        self.hint = hint
        self.errors: tuple[InjectionError, ...] = tuple(errors) or (self,)
        super().__init__(self._render())

    def along(self, chain: Sequence[str]) -> InjectionError:
        """This error, with ``chain`` (how the root reaches it) put before its path.

        For an error raised where the chain was not known, such as reading a provider's
        signature; the original's ``__cause__`` is kept.
        """
        error = type(self)(
            self.message,
            path=(*chain, *self.path),
            requested=self.requested,
            scope=self.scope,
            hint=self.hint,
            key=self.key,
        )
        error.__cause__ = self.__cause__
        error.__suppress_context__ = True  # the copy replaces this error, not follows it
        return error

    def _render(self, width: int = WIDTH, lead: int | None = None) -> str:
        """The message, chain and hint, each on its own lines of at most ``width``
        columns.  ``lead``: what is printed before the first line, by default the
        traceback's ``injectkit.ScopeError: ``."""
        if lead is None:
            cls = type(self)
            lead = len(f"{cls.__module__}.{cls.__qualname__}: ")
        return error_lines(self.message, shortened(self.path), self.hint, lead=lead, width=width)


class UnresolvableDependencyError(InjectionError):
    """A parameter that no marker, context value, registration, argument or default fills."""


class CircularDependencyError(InjectionError):
    """Providers that (directly or not) need themselves."""


class ScopeError(InjectionError):
    """A value would outlive one it depends on (e.g. app-scoped needing request-scoped)."""


def combine(errors: Sequence[InjectionError]) -> InjectionError:
    """One error carrying several: the class is the most specific one they all share."""
    if len(errors) == 1:
        return errors[0]
    classes = {type(e) for e in errors}
    cls = classes.pop() if len(classes) == 1 else InjectionError
    shown = errors[:_MOST_LISTED]
    lines = [
        f"{i}. " + e._render(WIDTH - 3, lead=0).replace("\n", "\n   ")
        for i, e in enumerate(shown, 1)
    ]
    if len(errors) > len(shown):  # thousands of them would make a message nobody reads
        lines.append(f"… {len(errors) - len(shown):,} more (error.errors lists them all)")
    body = "\n".join(lines)
    return cls(f"{len(errors)} problems found in the dependency graph:\n{body}", errors=errors)


# How many problems one combined message lists in full.
_MOST_LISTED = 20
