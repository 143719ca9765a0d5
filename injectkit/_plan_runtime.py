"""What generated plan code calls besides providers: the errors it raises and the
concurrent build of a ``Container(concurrent=True)`` plan.

Kept out of the generated source, so that source stays a few lines per provider: a plan
calls ``missing0()`` (a ``functools.partial`` of :func:`raise_error`) where it would
otherwise format an error message inline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio

from ._exceptions import InjectionError, UnresolvableDependencyError
from ._graph import Node, looks_like_a_service
from ._graph_errors import unregistered
from ._introspect import MISSING, Parameter

__all__ = ["gather", "missing_free", "no_yield", "raise_error", "sync_scope_error"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True


def raise_error(factory: Callable[..., BaseException], *args: Any) -> None:
    raise factory(*args)


def missing_free(node: Node, param: Parameter) -> UnresolvableDependencyError:
    if looks_like_a_service(param.annotation):
        # The handler's own ``mailer: Mailer``: most likely a provider never registered.
        return unregistered(node, param, at_call=True)
    what = param.describe()
    return UnresolvableDependencyError(
        f"Missing value for parameter {what!r} of {node.label}: it is not injected, "
        "the call did not pass it, and it has no default.",
        path=node.chain(),
        requested=what,
        hint=f"pass {param.name}=... to the call, give the parameter a default, "
        "or mark it with Depends(...).",
    )


def no_yield(node: Node) -> InjectionError:
    return InjectionError(
        f"Generator provider {node.label} finished without yielding a value.",
        path=node.chain(),
        hint="a generator provider must yield exactly once.",
    )


def sync_scope_error(root: Node) -> InjectionError:
    return InjectionError(
        f"{root.label} needs async generator providers, but the request scope was opened "
        "with a plain `with`.",
        path=(root.label,),
        hint="open the scope with `async with container.request()`.",
    )


async def gather(*specs: tuple[Callable[[], Any], Any, Any, Any]) -> list[Any]:
    """Run provider calls concurrently; one failure cancels the others and is re-raised."""
    results: list[Any] = [MISSING] * len(specs)

    async def one(
        index: int, thunk: Callable[[], Any], push: Any, label: Any, no_yield: Any
    ) -> None:
        if push is None:
            results[index] = await thunk()
            return
        gen = thunk()
        try:
            results[index] = await gen.__anext__()
        except StopAsyncIteration:
            no_yield()
        push((gen, True, label))  # finalized with its scope, also if a sibling failed

    try:
        async with anyio.create_task_group() as tg:
            for index, spec in enumerate(specs):
                tg.start_soon(one, index, *spec)
    except BaseException as error:  # the task group's exception group
        inner = getattr(error, "exceptions", None)
        if isinstance(inner, tuple) and len(inner) == 1:
            raise inner[0] from None
        raise
    return results
