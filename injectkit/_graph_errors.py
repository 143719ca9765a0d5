"""The problems the graph builder finds, each as an :class:`InjectionError` that names the
chain from the injected function to the parameter and the fix.

Each function builds one error (the builder decides when); ``unregistered`` is also
raised at call time, by a plan whose call did not pass a service it needed.
"""

from __future__ import annotations

from typing import Any

from ._exceptions import CircularDependencyError, InjectionError, UnresolvableDependencyError
from ._graph import Node, looks_like_a_service
from ._introspect import Parameter, type_name
from ._resolver import is_resolver
from ._wording import exception_text, safe_repr, shortened

__all__ = [
    "cycle",
    "marker_without_annotation",
    "marker_not_callable",
    "not_a_type",
    "unexpected",
    "unregistered",
    "unresolvable",
]


def unregistered(consumer: Node, param: Parameter, *, at_call: bool) -> UnresolvableDependencyError:
    """``mailer: Mailer`` with no provider: at graph time, or at a call that did not pass it.

    The hint names only fixes that work: a call can pass a value to the injected
    function's own parameter, never to a provider's.
    """
    tname = type_name(param.annotation)
    if at_call:
        consequence = f"and the call did not pass `{param.name}` to {consumer.label}"
        alternative = f"pass {param.name}=... to the call"
    else:
        consequence = f"so nothing provides `{param.name}` to {consumer.label}"
        alternative = "mark the parameter with Depends(...)"
    return UnresolvableDependencyError(
        f"`{tname}` is not registered in the container, {consequence}.",
        path=consumer.chain(),
        requested=param.describe(),
        hint=f"register a provider for {tname} (container.register({tname}, ...) or "
        f"@container.provider), {alternative}, or give it a default.",
        key=("unresolvable", consumer.definition, param.name),
    )


def unresolvable(consumer: Node, param: Parameter) -> UnresolvableDependencyError:
    """A parameter without a default that nothing provides and no call passes."""
    if is_resolver(consumer.signature):  # resolve(T): a parameter the user never wrote
        return _unregistered_resolved(consumer, type_name(param.annotation))
    if looks_like_a_service(param.annotation):
        return unregistered(consumer, param, at_call=False)
    # Only reached when no call passes values (a registration alone).
    what = param.describe()
    return UnresolvableDependencyError(
        f"Cannot resolve parameter {what!r} of {consumer.label}: nothing provides it.",
        path=consumer.chain(),
        requested=what,
        hint="give the parameter a default, or mark it with Depends(...): no call passes "
        f"{param.name} here (only an injected function's call passes values).",
        key=("unresolvable", consumer.definition, param.name),
    )


def _unregistered_resolved(consumer: Node, tname: str) -> UnresolvableDependencyError:
    """``resolve(T)`` with nothing provides ``T``: worded for resolve(), whose parameter
    the user never wrote (no default to give, no call to pass it)."""
    return UnresolvableDependencyError(
        f"`{tname}` is not registered in the container, so {consumer.label} has nothing to call.",
        path=consumer.chain(),
        requested=tname,
        hint=f"register a provider for {tname} (container.register({tname}, ...) or "
        f"@container.provider), or resolve Annotated[{tname}, Depends(a_function)].",
        key=("unresolvable", consumer.definition, "resolve"),
    )


def not_a_type(consumer: Node, param: Parameter, exc: Exception) -> InjectionError:
    """An annotation that cannot be looked up (``x: [int]``): a mistake, not a type."""
    shown = type_name(param.annotation)
    return InjectionError(
        f"Parameter {param.name!r} of {consumer.label} is annotated with {shown}, "
        f"which is not a type ({exception_text(exc)}).",
        path=consumer.chain(),
        requested=shown,
        hint=f"annotate the parameter with a type, e.g. {_as_type(param.annotation)}.",
        key=("annotation", consumer.definition, param.name),
    )


def marker_without_annotation(consumer: Node, param: Parameter) -> InjectionError:
    """``x=Depends()`` with nothing to call: no dependency and no annotation."""
    return InjectionError(
        f"Parameter {param.name!r} of {consumer.label} is marked Depends() "
        "but has no annotation to call.",
        path=consumer.chain(),
        hint="write Annotated[SomeType, Depends()] or Depends(some_callable).",
    )


def marker_not_callable(consumer: Node, param: Parameter, target: Any) -> InjectionError:
    """``Depends(x)`` where ``x`` cannot be called (and no override replaces it)."""
    return InjectionError(
        f"Parameter {param.name!r} of {consumer.label} is marked "
        f"{safe_repr(param.marker)}, but {safe_repr(target)} is not callable.",
        path=consumer.chain(),
        requested=safe_repr(target),
        hint="pass a function or a class to Depends (to inject a fixed value, use "
        "`Depends(lambda: value)` or an override).",
    )


def unexpected(consumer: Node, param: Parameter, exc: Exception) -> InjectionError:
    """What a user object raised while a parameter was resolved, as an InjectionError."""
    error = InjectionError(
        f"Cannot resolve parameter {param.name!r} of {consumer.label}: {exception_text(exc)}.",
        path=consumer.chain(),
        requested=param.name,
        hint="check the parameter's annotation and marker: one of them raised.",
        key=("unexpected", consumer.definition, param.name),
    )
    error.__cause__ = exc
    return error


def cycle(consumer: Node, first: Node) -> CircularDependencyError:
    """``consumer`` needs ``first``, which is already on the path from the root to it."""
    names: list[str] = []
    node: Node | None = consumer
    while node is not None and node is not first:
        names.append(node.label)
        node = node.parent
    names.append(first.label)
    names = [*names[::-1], first.label]
    shown = shortened(names)  # a cycle of thousands is drawn by its ends
    drawing = "\n".join(
        ["  ╭─▶ " + shown[0]] + [f"  │   ↓\n  │   {name}" for name in shown[1:-1]] + ["  ╰───╯"]
    )
    return CircularDependencyError(
        f"Circular dependency: {' -> '.join(shown)}.\n{drawing}",
        path=[*consumer.chain(), first.label],
        requested=first.label,
        hint="break the cycle: one of these providers must not need the others, e.g. "
        "split it or take a factory instead of the value.",
        key=("cycle", frozenset(names)),
    )


def _as_type(annotation: Any) -> str:
    """What ``x: [int]`` meant, for the hint: ``list[int]``."""
    if type(annotation) is list and len(annotation) == 1:
        return f"list[{type_name(annotation[0])}] rather than {type_name(annotation)}"
    return "list[int], dict[str, int] or a class"
