"""Startup: every injected endpoint validated before the app serves, the app scope ended
at shutdown.

:func:`prepare_endpoints` prepares every marked endpoint an adapter found among the
framework's routes and raises one :class:`~injectkit.InjectionError` naming every broken
one, so the app does not start; :func:`app_lifespan` ties that and the container's
``aclose()`` to a framework's lifespan.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from .. import Container, InjectionError
from .._exceptions import combine
from .._introspect import describe, unwrap_injected
from ._endpoint import EndpointMark, Endpoints

__all__ = [
    "prepare_endpoints",
    "check_route_variables",
    "app_lifespan",
    "app_lifespan_sync",
    "close_at_interpreter_exit",
]

logger = logging.getLogger("injectkit")


def prepare_endpoints(work: Iterable[tuple[Endpoints, EndpointMark]]) -> int:
    """Prepare every (registry, mark) pair; one InjectionError listing every broken one.

    Returns how many endpoints were prepared.
    """
    errors: list[InjectionError] = []
    seen: set[tuple[int, Any]] = set()
    for endpoints, mark in work:
        key = (id(endpoints), unwrap_injected(mark.handler))
        if key in seen:
            continue
        seen.add(key)
        try:
            endpoints.prepare(mark)
        except InjectionError as exc:
            errors.extend(exc.errors)
    if errors:
        raise combine(list({str(e): e for e in errors}.values()))
    return len(seen)


def check_route_variables(
    endpoints: Endpoints, routes: Iterable[tuple[str, Iterable[str], EndpointMark]]
) -> None:
    """A route variable that no injected parameter reads is a typo: one InjectionError
    naming every such route.

    ``routes``: each route as its framework's users name it (``"The URL rule
    '/users/<uid>'"``), the variables it passes the handler, and the handler's mark
    (its endpoint prepared in ``endpoints``).
    """
    problems: list[InjectionError] = []
    for route, variables, mark in routes:
        read = {field.name for field in endpoints.get(mark).fields}
        unread = sorted(set(variables) - read)
        if not unread:
            continue
        name = describe(mark.handler)
        problems.append(
            InjectionError(
                f"{route} passes {', '.join(unread)} to {name}, but no parameter of it or of "
                f"its dependencies reads {'that name' if len(unread) == 1 else 'those names'}.",
                path=(name,),
                requested=", ".join(unread),
                hint="rename the URL variable or the parameter so that they match "
                "(a parameter annotated str, int, float or bool).",
            )
        )
    if problems:
        raise combine(problems)


@asynccontextmanager
async def app_lifespan(
    container: Container, startup: Callable[[], None] | None = None
) -> AsyncIterator[None]:
    """Run ``startup`` (prepare endpoints) on enter; end the app scope on exit.

    A broken graph raises from ``startup`` and the app does not start; the app-scoped
    finalizers run on shutdown (``await container.aclose()``), also after an error.
    """
    if startup is not None:
        startup()
    try:
        yield
    finally:
        await container.aclose()


@contextmanager
def app_lifespan_sync(
    container: Container, startup: Callable[[], None] | None = None
) -> Iterator[None]:
    """The sync twin of :func:`app_lifespan` (``container.close()`` on exit)."""
    if startup is not None:
        startup()
    try:
        yield
    finally:
        container.close()


# For frameworks with no shutdown event (Flask, Django under WSGI): the app scope ends at
# interpreter exit.  Weak references: a container dropped earlier is not kept alive.
_closing_at_exit: weakref.WeakSet[Container] = weakref.WeakSet()
_exit_lock = threading.Lock()
_exit_hook_registered = False


def _close_containers_at_exit() -> None:
    for container in list(_closing_at_exit):
        try:
            container.close()
        except Exception:
            logger.exception("closing %r at exit failed", container)


def close_at_interpreter_exit(container: Container) -> None:
    """Close ``container`` (its app-scoped finalizers) when the interpreter exits."""
    global _exit_hook_registered
    with _exit_lock:
        _closing_at_exit.add(container)
        if not _exit_hook_registered:
            atexit.register(_close_containers_at_exit)
            _exit_hook_registered = True
