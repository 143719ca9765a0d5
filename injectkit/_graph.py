"""Phase 2 — build and validate the dependency graph of one injected function.

The builder walks parameters with an explicit stack (no recursion, so a 5,000-deep chain
is fine), applies the resolution order of the design (marker → context / BackgroundTasks →
registered type → free parameter), and collects every problem it finds: cycles, scope
violations, async providers under a sync call, missing providers.  The result is a
:class:`Graph` whose nodes are in dependency order; ``_compile`` turns it into a plan.
"""

from __future__ import annotations

import builtins
import enum
import inspect
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from ._aliases import unwrap_alias
from ._background import BackgroundTasks
from ._exceptions import (
    CircularDependencyError,
    InjectionError,
    ScopeError,
    UnresolvableDependencyError,
)
from ._introspect import (
    MISSING,
    CallKind,
    Parameter,
    Signature,
    describe,
    is_optional_of,
    type_name,
    unwrap_injected,
)
from ._scope import Scope, lifetime
from ._wording import exception_text, safe_repr, shortened

__all__ = [
    "Graph",
    "GraphBuilder",
    "Input",
    "Node",
    "Registration",
    "looks_like_a_service",
    "unregistered",
]


@dataclass(eq=False)
class Registration:
    provides: Any
    provider: Callable[..., Any]
    scope: Scope
    offload: bool = False


# --- what fills one parameter -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Input:
    """Where one parameter's value comes from.

    ``kind`` is ``"node"`` (another provider), ``"context"`` (a type the request scope
    was opened with), ``"tasks"`` (the request's BackgroundTasks) or ``"free"`` (taken by
    name from the outermost call, else ``default``).
    """

    kind: str
    node: Node | None = None
    context_type: Any = None
    name: str = ""
    default: Any = MISSING

    @property
    def lifetime(self) -> int:
        if self.node is not None:
            return self.node.lifetime
        if self.kind == "free" and self.default is not MISSING:
            return lifetime(Scope.APP)  # an app-scoped value simply takes the default
        return lifetime(Scope.REQUEST)


@dataclass(eq=False)
class Node:
    """One provider in the graph (or the injected function itself, the root)."""

    signature: Signature | None  # None for an override given as a plain value
    scope: Scope
    cached: bool
    definition: Hashable  # what identifies this dependency, for caching and cycles
    label: str
    value: Any = MISSING  # an override's plain value
    offload: bool = False
    overridden: str | None = None  # the name of what this node replaced
    parent: Node | None = None  # first consumer, for error chains
    inputs: list[tuple[Parameter, Input]] = field(default_factory=list)
    lifetime: int = 0
    key: object = None  # the interned cache key, set after building
    index: int = -1
    provides: Any = None  # the registered type this node provides, if any

    @property
    def kind(self) -> CallKind | None:
        return None if self.signature is None else self.signature.kind

    @property
    def call(self) -> Callable[..., Any]:
        assert self.signature is not None
        return self.signature.call

    def chain(self) -> list[str]:
        names: list[str] = []
        node: Node | None = self
        while node is not None:
            if node.label:  # the synthetic root that validates registrations has none
                names.append(node.label)
            node = node.parent
        return names[::-1]

    def dependencies(self) -> Iterator[Node]:
        for _, source in self.inputs:
            if source.node is not None:
                yield source.node


@dataclass(eq=False)
class Graph:
    root: Node
    nodes: list[Node]  # dependencies before their consumers; the root last
    context_types: frozenset[Any]
    sync: bool

    def free_inputs(self) -> list[tuple[Node, Parameter, Input]]:
        return [
            (node, param, source)
            for node in self.nodes
            for param, source in node.inputs
            if source.kind == "free"
        ]


# --- the builder --------------------------------------------------------------------------


class Identity:
    """A hashable stand-in for any object, equal only to itself (bound methods: by parts)."""

    __slots__ = ("_hash", "obj")

    def __init__(self, obj: object) -> None:
        self.obj = obj
        if inspect.ismethod(obj):
            self._hash = hash((id(obj.__self__), id(obj.__func__)))
        else:
            self._hash = id(obj)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        a, b = self.obj, other.obj
        if inspect.ismethod(a) and inspect.ismethod(b):
            return a.__self__ is b.__self__ and a.__func__ is b.__func__
        return a is b


class CacheKey:
    """An interned cache key: equal graphs give the same key object, compared by identity."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"<key {self.label}>"


_PLAIN_VALUE_MODULES = frozenset({"builtins", "datetime", "decimal", "uuid", "pathlib", "enum"})


def looks_like_a_service(annotation: Any) -> bool:
    """Whether a parameter's class is a service (``Session``), not a plain value.

    A sub-dependency's parameter of such a class is a missing provider, since no call
    passes one; plain values (``str``, ``int``, an ``Enum``, ``datetime``...) are what a
    call (or an adapter, from a query string) passes.
    """
    return (
        annotation is not MISSING
        and isinstance(annotation, type)
        and annotation.__module__ not in _PLAIN_VALUE_MODULES
        and not issubclass(annotation, (str, int, float, bytes, enum.Enum))
        and annotation is not getattr(builtins, annotation.__name__, None)
    )


class GraphBuilder:
    """Builds graphs against one container state: registrations, overrides, context types."""

    def __init__(
        self,
        *,
        registry: Mapping[Any, Registration],
        overrides: Mapping[Any, Any],
        read: Callable[[Callable[..., Any]], Signature],
        interned: dict[tuple[Any, ...], CacheKey],
        interning: AbstractContextManager[Any],
        provider_names: Callable[[], Mapping[str, int]] = lambda: {},
    ) -> None:
        self._registry = registry
        self._overrides = overrides
        self._read = read
        self._interned = interned
        self._interning = interning  # held while a missing key is added to ``interned``
        self._provider_names = provider_names
        self._done: dict[Hashable, Node] = {}
        self._strict_root = False
        self._passed: frozenset[str] = frozenset()
        self._strict_free = False

    # The one public entry point.
    def build(
        self,
        root: Signature,
        *,
        context_types: frozenset[Any],
        sync: bool,
        strict_free: bool = False,
        strict_root: bool = False,
        passed: frozenset[str] = frozenset(),
    ) -> tuple[Graph, list[InjectionError]]:
        """The graph of ``root`` and every problem found in it.

        ``strict_free``: no call passes values (``resolve``, registrations checked on
        their own), so every free parameter without a default is an error.
        ``strict_root``: the root's own parameters annotated with a class (a service, not
        a plain value like ``str``) must be provided too, as a provider's are, unless
        named in ``passed`` (validate(strict=True) for handlers a framework calls).
        """
        self._strict_free = strict_free
        self._strict_root = strict_root
        self._passed = passed
        errors: list[InjectionError] = []
        root_node = Node(
            signature=root,
            scope=Scope.FUNCTION,
            cached=False,
            definition=("root", Identity(root.call)),
            label=root.name,
        )
        done: dict[Hashable, Node] = {}
        self._done = done  # cached nodes already built, reused by definition
        order: list[Node] = []
        on_path: dict[Hashable, Node] = {root_node.definition: root_node}
        stack: list[tuple[Node, Iterator[Parameter]]] = [
            (root_node, iter(self._parameters(root_node)))
        ]
        while stack:
            node, params = stack[-1]
            param = next(params, None)
            if param is None:
                stack.pop()
                on_path.pop(node.definition, None)
                if node.cached:
                    done[node.definition] = node
                order.append(node)
                continue
            try:
                source, child = self._classify(node, param, context_types)
            except InjectionError as exc:
                errors.append(exc)
                continue
            except Exception as exc:  # a user object (annotation, marker) that raised
                errors.append(self._unexpected(node, param, exc))
                continue
            if child is not None:
                if child.definition in on_path:
                    errors.append(self._cycle_error(node, child, on_path))
                    continue
                child.parent = node
                on_path[child.definition] = child
                stack.append((child, iter(self._parameters(child))))
            node.inputs.append((param, source))

        graph = Graph(root=root_node, nodes=order, context_types=context_types, sync=sync)
        for index, node in enumerate(order):
            node.index = index
        errors.extend(self._check_lifetimes(graph))
        if sync:
            errors.extend(self._check_sync(graph))
        if not errors:
            self._assign_keys(graph)
        return graph, errors

    def _parameters(self, node: Node) -> tuple[Parameter, ...]:
        return () if node.signature is None else node.signature.parameters

    # -- resolution order ------------------------------------------------------------------

    def _classify(
        self, consumer: Node, param: Parameter, context_types: frozenset[Any]
    ) -> tuple[Input, Node | None]:
        annotation = param.annotation
        if annotation is not MISSING:
            self._check_hashable(consumer, param)
        if param.marker is not None:
            target = param.marker.dependency
            if target is None:
                target = annotation
                optional = is_optional_of(annotation)
                if optional is not MISSING:
                    target = optional
            if target is MISSING:
                raise InjectionError(
                    f"Parameter {param.name!r} of {consumer.label} is marked Depends() "
                    "but has no annotation to call.",
                    path=consumer.chain(),
                    hint="write Annotated[SomeType, Depends()] or Depends(some_callable).",
                )
            target = unwrap_injected(unwrap_alias(target))  # Depends(SomeAlias) too
            definition: Hashable = ("call", Identity(target), param.marker.scope)
            if param.marker.use_cache:
                existing = self._done.get(definition)
                if existing is not None:
                    return Input("node", node=existing), None
            node = self._marker_node(consumer, param, target, definition)
            return Input("node", node=node), node
        if annotation is not MISSING:
            if annotation in context_types:
                return Input("context", context_type=annotation), None
            if annotation is BackgroundTasks:
                return Input("tasks"), None
            if self._lookup(annotation) is not None:
                definition = ("type", Identity(annotation))
                existing = self._done.get(definition)
                if existing is not None:
                    return Input("node", node=existing), None
                node = self._registered_node(consumer, annotation, definition)
                return Input("node", node=node), node
        if param.default is MISSING and (self._strict_free or self._must_provide(consumer, param)):
            raise self._unresolvable(consumer, param)
        return Input("free", name=param.name, default=param.default), None

    def _must_provide(self, consumer: Node, param: Parameter) -> bool:
        """Whether a class-typed parameter with no default cannot be left to the call.

        A provider's always: no call can pass a value to it by that class.  The root's
        only when validating strictly, for a function that only a framework calls.
        """
        if not looks_like_a_service(param.annotation):
            return False
        if consumer.parent is not None:
            return True
        return self._strict_root and param.name not in self._passed

    def _check_hashable(self, consumer: Node, param: Parameter) -> None:
        """An annotation is looked up by hash: ``x: [int]`` is a mistake, not a type."""
        try:
            hash(param.annotation)
        except Exception as exc:
            shown = type_name(param.annotation)
            raise InjectionError(
                f"Parameter {param.name!r} of {consumer.label} is annotated with {shown}, "
                f"which is not a type ({exception_text(exc)}).",
                path=consumer.chain(),
                requested=shown,
                hint=f"annotate the parameter with a type, e.g. {_as_type(param.annotation)}.",
                key=("annotation", consumer.definition, param.name),
            ) from exc

    def _lookup(self, annotation: Any) -> object | None:
        try:
            if annotation in self._overrides:
                found: object = self._overrides[annotation]
                return found
            return self._registry.get(annotation)
        except Exception:  # an unhashable annotation, or a user __eq__ that raised
            return None

    def _marker_node(
        self, consumer: Node, param: Parameter, target: Any, definition: Hashable
    ) -> Node:
        assert param.marker is not None
        scope = param.marker.scope
        replacement = self._override_of(target)
        if replacement is MISSING and not callable(target):
            raise InjectionError(
                f"Parameter {param.name!r} of {consumer.label} is marked "
                f"{safe_repr(param.marker)}, but {safe_repr(target)} is not callable.",
                path=consumer.chain(),
                requested=safe_repr(target),
                hint="pass a function or a class to Depends (to inject a fixed value, use "
                "`Depends(lambda: value)` or an override).",
            )
        node = self._provider_node(
            consumer,
            replacement if replacement is not MISSING else target,
            scope=scope,
            cached=param.marker.use_cache,
            definition=definition,
            provides=None,
            overridden=describe(target) if replacement is not MISSING else None,
        )
        return node

    def _registered_node(self, consumer: Node, annotation: Any, definition: Hashable) -> Node:
        registration = self._registry.get(annotation)
        replacement = self._override_of(annotation)
        scope = registration.scope if registration is not None else Scope.REQUEST
        if replacement is MISSING:
            assert registration is not None
            provider: Any = registration.provider
        else:
            provider = replacement
        return self._provider_node(
            consumer,
            provider,
            scope=scope,
            cached=scope is not Scope.TRANSIENT,
            definition=definition,
            provides=annotation,
            overridden=type_name(annotation) if replacement is not MISSING else None,
            offload=registration.offload if registration is not None else False,
        )

    def _override_of(self, target: Any) -> Any:
        try:
            return self._overrides.get(target, MISSING)
        except Exception:  # unhashable, or a __hash__ that raises: it cannot be overridden
            return MISSING

    def _provider_node(
        self,
        consumer: Node,
        provider: Any,
        *,
        scope: Scope,
        cached: bool,
        definition: Hashable,
        provides: Any,
        overridden: str | None,
        offload: bool = False,
    ) -> Node:
        is_value = not callable(provider) or _is_instance(provider, provides)
        if is_value:
            label = f"{type_name(provides) if provides is not None else 'value'} (override value)"
            return Node(
                signature=None,
                scope=scope,
                cached=cached,
                definition=definition,
                label=label,
                value=provider,
                overridden=overridden,
                provides=provides,
            )
        try:
            signature = self._read(unwrap_injected(provider))
        except InjectionError as exc:  # it names the provider; say how the root gets there
            raise exc.along(consumer.chain())  # noqa: B904 - keeps exc's own __cause__
        return Node(
            signature=signature,
            scope=scope,
            cached=cached and scope is not Scope.TRANSIENT,
            definition=definition,
            label=self._label(signature.name, provides),
            offload=offload,
            overridden=overridden,
            provides=provides,
        )

    def _label(self, name: str, provides: Any) -> str:
        """A provider's name, with the type it provides when other providers share it.

        ``provide (Ring5) -> provide (Ring6)`` says which is which; a unique name stays
        as it is.
        """
        if provides is None or self._provider_names().get(name, 0) < 2:
            return name
        return f"{name} ({type_name(provides)})"

    # -- errors ----------------------------------------------------------------------------

    def _unresolvable(self, consumer: Node, param: Parameter) -> UnresolvableDependencyError:
        if looks_like_a_service(param.annotation):
            return unregistered(consumer, param, at_call=False)
        # Only reached when no call passes values (resolve(), a registration alone).
        what = param.describe()
        return UnresolvableDependencyError(
            f"Cannot resolve parameter {what!r} of {consumer.label}: nothing provides it.",
            path=consumer.chain(),
            requested=what,
            hint="give the parameter a default, or mark it with Depends(...): no call passes "
            f"{param.name} here (only an injected function's call passes values).",
            key=("unresolvable", consumer.definition, param.name),
        )

    def _unexpected(self, consumer: Node, param: Parameter, exc: Exception) -> InjectionError:
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

    def _cycle_error(
        self, consumer: Node, child: Node, on_path: dict[Hashable, Node]
    ) -> CircularDependencyError:
        first = on_path[child.definition]
        cycle: list[str] = []
        node: Node | None = consumer
        while node is not None and node is not first:
            cycle.append(node.label)
            node = node.parent
        cycle.append(first.label)
        cycle = [*cycle[::-1], first.label]
        shown = shortened(cycle)  # a cycle of thousands is drawn by its ends
        drawing = "\n".join(
            ["  ╭─▶ " + shown[0]] + [f"  │   ↓\n  │   {name}" for name in shown[1:-1]] + ["  ╰───╯"]
        )
        return CircularDependencyError(
            f"Circular dependency: {' -> '.join(shown)}.\n{drawing}",
            path=[*consumer.chain(), first.label],
            requested=first.label,
            hint="break the cycle: one of these providers must not need the others, e.g. "
            "split it or take a factory instead of the value.",
            key=("cycle", frozenset(cycle)),
        )

    def _check_lifetimes(self, graph: Graph) -> list[InjectionError]:
        errors: list[InjectionError] = []
        for node in graph.nodes:  # dependencies first, so their lifetime is known
            if node.scope is Scope.TRANSIENT:
                node.lifetime = min(
                    (source.lifetime for _, source in node.inputs), default=lifetime(Scope.APP)
                )
            else:
                node.lifetime = lifetime(node.scope)
            if node is graph.root:
                continue
            for param, source in node.inputs:
                if source.lifetime >= node.lifetime:
                    continue
                needed = (
                    source.node.label
                    if source.node is not None
                    else f"parameter {param.describe()!r}"
                )
                # By how long it lives: a transient value lives as long as what it uses.
                needed_scope = _LIFETIME_NAMES[source.lifetime]
                if source.kind == "free":
                    hint = "give the parameter a default, or make the provider request-scoped."
                    reason = f"{needed}, a value from the call"
                else:
                    hint = (
                        f"make {node.label} {needed_scope}-scoped (or shorter), or "
                        f"{needed} longer-lived."
                    )
                    reason = f"{needed} ({needed_scope})"
                errors.append(
                    ScopeError(
                        f"{node.label} is {node.scope.value}-scoped but depends on {reason}, "
                        "which does not live as long.",
                        path=[*node.chain(), needed] if source.node else node.chain(),
                        requested=needed,
                        scope=node.scope.value,
                        hint=hint,
                        key=("scope", node.definition, needed),
                    )
                )
        return errors

    def _check_sync(self, graph: Graph) -> list[InjectionError]:
        errors: list[InjectionError] = []
        for node in graph.nodes:
            if node is graph.root or node.kind is None or not node.kind.is_async:
                continue
            errors.append(
                InjectionError(
                    f"{node.label} is {node.kind.with_article} provider, but {graph.root.label} "
                    "is resolved synchronously.",
                    path=node.chain(),
                    requested=node.label,
                    hint=f"give {node.label} a sync provider (a def, or a sync generator); "
                    "where the framework allows it, make the handler async instead (or use "
                    "`await scope.call(...)` rather than call_sync).",
                )
            )
        return errors

    # -- cache keys ------------------------------------------------------------------------

    def _assign_keys(self, graph: Graph) -> None:
        """Give each node a key naming what it is *and* what it was built from.

        A value built from an overridden provider gets another key than the original, so
        an override rebuilds it (and everything built on it) instead of reusing it, and
        the original comes back when the override ends.
        """
        for node in graph.nodes:
            parts: list[Any] = [node.definition]
            parts.append(Identity(node.value) if node.signature is None else Identity(node.call))
            for _, source in node.inputs:
                if source.node is not None:
                    parts.append(source.node.key)
                else:
                    parts.append((source.kind, Identity(source.context_type), source.name))
            signature = tuple(parts)
            key = self._interned.get(signature)
            if key is None:
                # Threads building their first graphs at once must agree on each key, or
                # each gets its own and an app singleton is built once per key.
                with self._interning:
                    key = self._interned.get(signature)
                    if key is None:
                        key = self._interned[signature] = CacheKey(node.label)
            node.key = key


_LIFETIME_NAMES = {lifetime(s): s.value for s in (Scope.FUNCTION, Scope.REQUEST, Scope.APP)}


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


def _as_type(annotation: Any) -> str:
    """What ``x: [int]`` meant, for the hint: ``list[int]``."""
    if type(annotation) is list and len(annotation) == 1:
        return f"list[{type_name(annotation[0])}] rather than {type_name(annotation)}"
    return "list[int], dict[str, int] or a class"


def _is_instance(value: Any, provides: Any) -> bool:
    """Whether an override's replacement is a ready value of the provided type."""
    if not isinstance(provides, type) or isinstance(value, type):
        return False
    try:
        return isinstance(value, provides)
    except TypeError:  # typing constructs (Any, generic aliases) refuse isinstance
        return False
