"""Closing generator providers: newest first, with ExitStack semantics.

A finalizer sees the exception that ended its scope thrown in at its ``yield``; it may
react (roll back, log) but cannot swallow it: the caller still gets the original
exception, and a warning names the provider that tried.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import AsyncGenerator, Generator
from typing import Any, Protocol

import anyio

from ._exceptions import InjectionError

__all__ = ["Cuttable", "Finalizer", "aclose_all", "aclose_within", "close_all"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True

logger = logging.getLogger("injectkit")


class Owner(Protocol):
    """The graph node a generator belongs to (``_graph.Node``), for messages."""

    label: str

    def chain(self) -> list[str]: ...


class Cuttable(Protocol):
    """What runs finalizers under :func:`aclose_within`: a request scope or the app scope."""

    _item: anyio.CancelScope | None  # the cancel scope of the finalizer running now
    _cut: bool  # True once a shutdown cancelled what was running


# (generator, is_async, owner): pushed when a generator provider yields its value.
Finalizer = tuple[Any, bool, Owner]

_DONE: Any = object()  # what next() / anext() return for a generator that finished


def _more_than_once(owner: Owner) -> InjectionError:
    return InjectionError(
        f"Generator provider {owner.label} yielded more than once.",
        path=owner.chain(),
        hint="a provider yields exactly one value; put the teardown after that one yield.",
    )


def _swallowed(owner: Owner, gen: Any, exc: BaseException) -> None:
    # Point the warning at the provider's own code, not at injectkit.
    code = getattr(gen, "gi_code", None) or getattr(gen, "ag_code", None)
    warnings.warn_explicit(
        f"Provider {owner.label} swallowed {type(exc).__name__} in its finalizer; injectkit "
        "re-raises it. A finalizer may react to an exception, but not suppress it.",
        RuntimeWarning,
        filename=code.co_filename if code else "<injectkit>",
        lineno=code.co_firstlineno if code else 0,
    )


def close_all(entries: list[Finalizer], exc: BaseException | None) -> BaseException | None:
    """Close sync generators newest first; return the exception the scope must end with."""
    current = exc
    while entries:
        gen, is_async, owner = entries.pop()
        if is_async:
            # Validation keeps async providers out of sync scopes; this is a last guard.
            current = InjectionError(
                f"Async provider {owner.label} cannot be closed by a sync scope.",
                path=owner.chain(),
                hint="open the scope with `async with`.",
            )
            continue
        try:
            if current is None:
                if next(gen, _DONE) is _DONE:
                    continue
            else:
                gen.throw(current)
        except StopIteration:
            if current is not None:
                _swallowed(owner, gen, current)
            continue
        except BaseException as error:
            current = error
            continue
        _close_quietly(gen)
        current = _more_than_once(owner)
    return current


async def aclose_all(entries: list[Finalizer], exc: BaseException | None) -> BaseException | None:
    """Close sync and async generators newest first (the caller shields this)."""
    current = exc
    while entries:
        gen, is_async, owner = entries.pop()  # a shutdown names it by owner (_closing)
        try:
            if current is None:  # the common case: no exception raised to catch
                if (await anext(gen, _DONE) if is_async else next(gen, _DONE)) is _DONE:
                    continue
            elif is_async:
                agen: AsyncGenerator[Any, Any] = gen
                await agen.athrow(current)
            else:
                sgen: Generator[Any, Any, Any] = gen
                sgen.throw(current)
        except (StopIteration, StopAsyncIteration):
            if current is not None:
                _swallowed(owner, gen, current)
            continue
        except BaseException as error:
            current = error
            continue
        if is_async:
            await gen.aclose()
        else:
            _close_quietly(gen)
        current = _more_than_once(owner)
    return current


async def aclose_within(
    entries: list[Finalizer], exc: BaseException | None, limit: float | None, holder: Cuttable
) -> BaseException | None:
    """:func:`aclose_all`, each finalizer in a cancel scope of its own.

    The scope's deadline is ``limit`` seconds (None: no deadline); ``holder._item`` is
    set to it while the finalizer runs, so a shutdown can cancel that one finalizer.  A
    finalizer cut by its scope is logged by provider name and its cancellation is not
    the scope's exception: the finalizers after it run as if it had finished.  Called
    inside the shield, so an outside cancellation still cannot cut a finalizer short.
    """
    current = exc
    cancelled = anyio.get_cancelled_exc_class()
    while entries:
        entry = entries[-1]
        deadline = math.inf if limit is None else anyio.current_time() + limit
        with anyio.CancelScope(deadline=deadline) as item:
            holder._item = item
            result = await aclose_all([entry], current)
        holder._item = None
        entries.pop()
        if item.cancel_called and result is not current and isinstance(result, cancelled):
            if limit is not None and not holder._cut:
                logger.error(
                    "the finalizer of %s did not finish within its time limit (%s s) and "
                    "was cancelled; the other finalizers still run",
                    entry[2].label,
                    limit,
                )
            continue
        current = result
    return current


def _close_quietly(gen: Generator[Any, Any, Any]) -> None:
    with contextlib.suppress(Exception):  # it misbehaved; the error we report says so
        gen.close()
