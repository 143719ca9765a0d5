"""Startup: every injected endpoint validated before the app serves, the app scope ended
at shutdown.

:func:`prepare_endpoints` prepares every marked endpoint an adapter found among the
framework's routes and raises one :class:`~injectkit.InjectionError` naming every broken
one, so the app does not start; :func:`app_lifespan` ties that and the container's
``aclose()`` to a framework's lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from .. import Container, InjectionError
from .._exceptions import combine
from .._introspect import unwrap_injected
from ._endpoint import EndpointMark, Endpoints

__all__ = ["prepare_endpoints", "app_lifespan", "app_lifespan_sync"]


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
