"""The injected wrappers: what ``@container.inject`` returns, and the per-call path.

These closures are the hottest code of the library: every call of an injected function
runs one.  Each reads only its own closure cells (the scope variable's ``get`` and
``set``, the container's ``_plan``, the function's plan slot) and this module's globals,
so a call costs the same wherever the container keeps the rest of its state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from ._generators import Stream
from ._introspect import CallKind
from ._request import BARE_SYNC, ENDED, META, RequestScope, RequestState

__all__ = ["NO_CONTEXT", "injected_function"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True

NO_CONTEXT: frozenset[Any] = frozenset()

PlanFor = Callable[[Callable[..., Any], bool, frozenset[Any]], Any]
OwnPlan = Callable[[], tuple[Callable[..., Any], dict[object, Any]]]


def injected_function(
    original: Callable[..., Any],
    kind: CallKind,
    sync: bool,
    *,
    scope_var: ContextVar[RequestState | None],
    plan_for: PlanFor,
    slot: list[Any],
    own_plan: OwnPlan,
    adopt: Callable[[RequestState], RequestScope],
) -> Callable[..., Any]:
    """The wrapper that resolves ``original``'s dependencies on every call.

    ``plan_for(func, sync, context_types)`` is the container's plan cache; ``slot[0]``
    holds the plan for the common case (no scope open, no local override), which the
    container empties when registrations or overrides change; ``own_plan()`` fills it.
    """
    scope_get = scope_var.get
    scope_set = scope_var.set

    if kind.has_finalizer:  # a generator: its request lives as long as it runs
        stream = Stream(
            original,
            scope_var,
            lambda state: plan_for(original, sync, _context_types(state)).stream,
            lambda: slot[0] or own_plan(),
            adopt,
        )
        start = stream.sync if sync else stream.asynchronous

        @functools.wraps(original)
        def injected(*args: Any, **kwargs: Any) -> Any:
            return start(args, kwargs)

        return injected

    # Per-call path.  A request opened here is a bare state dict (see _request), set as
    # current but never reset: the next call overwrites it, and an ended request
    # counts as none (a reset costs as much as the set; nothing needs the old value).
    if not sync:

        @functools.wraps(original)
        async def injected(*args: Any, **kwargs: Any) -> Any:
            state = scope_get()
            if state is not None and state[META] is not ENDED:  # join the request
                plan = plan_for(original, False, _context_types(state))
                return await plan.run(state, args, kwargs)
            fresh, template = slot[0] or own_plan()
            state = template.copy()
            scope_set(state)
            try:
                result = await fresh(state, args, kwargs)
            except BaseException as exc:
                scope = state[META]
                if scope is None:  # nothing to finalize
                    state[META] = ENDED
                    raise
                error = await scope.aclose(exc)
                if error is exc or error is None:
                    raise
                raise error  # noqa: B904 - its __context__ already names exc
            scope = state[META]
            if scope is None:  # no tasks, no finalizers: just end the request
                # Its values go with the state, when the next call replaces it as the
                # current request or this context ends (a clear() here costs 4%).
                state[META] = ENDED
            else:
                error = await scope.aclose(None)
                if error is not None:
                    raise error
            return result

    else:

        @functools.wraps(original)
        def injected(*args: Any, **kwargs: Any) -> Any:
            state = scope_get()
            if state is not None and state[META] is not ENDED:
                plan = plan_for(original, True, _context_types(state))
                return plan.run(state, args, kwargs)
            fresh, template = slot[0] or own_plan()
            state = template.copy()
            scope_set(state)
            try:
                result = fresh(state, args, kwargs)
            except BaseException as exc:
                scope = state[META]
                if scope is BARE_SYNC:
                    state[META] = ENDED
                    raise
                error = scope.close(exc)
                if error is exc or error is None:
                    raise
                raise error  # noqa: B904
            scope = state[META]
            if scope is BARE_SYNC:  # as above
                state[META] = ENDED
            else:
                error = scope.close(None)
                if error is not None:
                    raise error
            return result

    return injected


def _context_types(state: RequestState) -> frozenset[Any]:
    scope = state[META]
    if scope is None or scope is BARE_SYNC:
        return NO_CONTEXT
    types: frozenset[Any] = scope._context_types
    return types
