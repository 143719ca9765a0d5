"""A request whose scope is opened on first use and closed once the response is out.

For frameworks that build their request object inside their own call (Flask, Falcon):
the adapter cannot put the request into a scope's context before the framework has made
it, so :class:`LazyScope` opens the scope when an injected handler (or ``get_scope``)
first needs it, remembers a handler's error, and closes the scope when the adapter knows
the response has been sent (:meth:`LazyScope.finish` / :meth:`LazyScope.afinish`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any

from .. import Container, InjectionError, RequestScope

__all__ = ["LazyScope"]


class LazyScope:
    """One request: its scope (opened on first use) and how the request ended.

    ``context`` is a copy of the calling thread's context, for sync servers: the request
    runs in it so that the open scope (a context variable) does not leak into whatever
    the thread does next (a reused worker thread, a test client left open).
    """

    __slots__ = ("container", "context", "error", "finished", "framework", "scope")

    def __init__(self, container: Container | None, framework: str) -> None:
        # None: set before the first open (Django's is the container of the first
        # injected view the request reaches).
        self.container = container
        self.framework = framework
        self.context = contextvars.copy_context()
        self.scope: RequestScope | None = None
        self.error: BaseException | None = None
        self.finished = False

    def _new_scope(self, values: Mapping[Any, Any]) -> RequestScope:
        if self.finished:
            raise InjectionError(
                f"The request scope was asked for after {self.framework} had produced the "
                "response, and nothing would close it.",
                hint="call get_scope() (or an injected function) in the handler itself, "
                "before it returns; a streamed body may use what the handler resolved.",
            )
        assert self.container is not None
        return self.container.request(values)

    def open(self, values: Mapping[Any, Any], *, asynchronous: bool = False) -> RequestScope:
        """The scope, opened now with ``values`` as its context if it is not yet.

        ``asynchronous``: it will be closed with ``afinish`` and may run async providers
        (an ASGI app), although it is opened from sync code (``get_scope``) as well as
        from async code; entering a scope awaits nothing, so this needs no await.
        """
        scope = self.scope
        if scope is None:
            scope = self._new_scope(values)
            scope._open(asynchronous)
            self.scope = scope
        return scope

    def fail(self, exc: BaseException) -> None:
        """Remember the first error of the request: its tasks are dropped at the end."""
        if self.error is None:
            self.error = exc

    def _closing(self, exc: BaseException | None) -> tuple[RequestScope | None, Any]:
        self.finished = True
        scope, self.scope = self.scope, None
        return scope, (exc if exc is not None else self.error)

    def finish(self, exc: BaseException | None = None) -> BaseException | None:
        """Close the scope; return a new exception a finalizer raised, if any."""
        scope, cause = self._closing(exc)
        if scope is None:
            return None
        ended = scope.close(cause)
        return ended if ended is not None and ended is not cause else None

    async def afinish(self, exc: BaseException | None = None) -> BaseException | None:
        """The async twin of :meth:`finish`."""
        scope, cause = self._closing(exc)
        if scope is None:
            return None
        ended = await scope.aclose(cause)
        return ended if ended is not None and ended is not cause else None
