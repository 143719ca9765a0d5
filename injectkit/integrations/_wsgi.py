"""WSGI: the request scope closed when the server closes the response body.

PEP 3333 has the server call ``close()`` on the body after sending its last byte (also
when the client went away), which is the first moment the response is out: that is
where :class:`ClosingBody` closes the request's :class:`~._lazy_scope.LazyScope`, so the
tasks run after the response, then the finalizers.  :func:`serve_wsgi` runs a WSGI app
for one request that way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ._lazy_scope import LazyScope

__all__ = ["ClosingBody", "serve_wsgi"]

logger = logging.getLogger("injectkit")


class ClosingBody:
    """The response body, handed on to the server; its ``close()`` closes the scope.

    An exception raised while producing the body (a streamed generator failing) counts
    as the request failing: the tasks are dropped and the finalizers see it.
    """

    __slots__ = ("_body", "_iterator", "_state")

    def __init__(self, body: Iterable[bytes], state: LazyScope) -> None:
        self._body = body
        self._iterator: Iterator[bytes] | None = None
        self._state = state

    def __iter__(self) -> Iterator[bytes]:
        self._iterator = iter(self._body)
        return self

    def __next__(self) -> bytes:
        if self._iterator is None:
            self._iterator = iter(self._body)
        try:
            return self._state.context.run(next, self._iterator)
        except StopIteration:
            raise
        except BaseException as exc:
            self._state.fail(exc)
            raise

    def close(self) -> None:
        self._state.context.run(self._close)

    def _close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        except BaseException as exc:
            self._state.fail(exc)
            raise
        finally:
            error = self._state.finish()
            if error is not None:
                # The response is out; the server can do nothing better than log it.
                logger.error(
                    "a request finalizer failed after the response was sent", exc_info=error
                )


def serve_wsgi(
    app: Callable[..., Iterable[bytes]],
    state: LazyScope,
    environ: Any,
    start_response: Any,
) -> Iterable[bytes]:
    """Run ``app(environ, start_response)`` for one request in ``state``'s context.

    The body comes back wrapped in a :class:`ClosingBody` if a scope was opened; an
    exception out of ``app`` closes the scope at once (the finalizers see it).
    """
    try:
        body = state.context.run(app, environ, start_response)
    except BaseException as exc:  # a framework that re-raises (Flask's PROPAGATE_EXCEPTIONS)
        error = state.context.run(state.finish, exc)
        if error is not None:
            raise error from exc
        raise
    if state.scope is None:
        # Nothing to close: leave the body untouched (servers may send files directly).
        state.finished = True
        return body
    return ClosingBody(body, state)
