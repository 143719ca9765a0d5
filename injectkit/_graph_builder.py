"""Phase 2 — build and validate the dependency graph of one injected function.

The builder walks parameters with an explicit stack (no recursion, so a 5,000-deep chain
is fine), applies the resolution order of the design (marker → context / BackgroundTasks →
registered type → free parameter), and collects every problem it finds: cycles, scope
violations, async providers under a sync call, missing providers (the errors are written
in ``_graph_errors``, the whole-graph checks live in ``_graph_checks``).  The result is a
:class:`Graph` whose nodes are in dependency order, each with its cache key
(``_cache_keys``); ``_compile`` turns it into a plan.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

from . import _graph_errors as graph_errors
from ._aliases import unwrap_alias
from ._background import BackgroundTasks
from ._cache_keys import CacheKey, assign_keys
from ._exceptions import InjectionError
from ._graph import Graph, Identity, Input, Node, Registration, looks_like_a_service
from ._graph_checks import check_lifetimes, check_sync
from ._introspect import (
    MISSING,
    Parameter,
    Signature,
    describe,
    type_name,
    unwrap_injected,
)
from ._provided_types import is_optional_of
from ._scope import Scope

__all__ = ["GraphBuilder"]


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

    # Set by build() for the graph it builds.
    _done: dict[Hashable, Node]  # cached nodes already built, reused by definition
    _strict_free: bool
    _strict_root: bool
    _passed: frozenset[str]

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
        self._done = done
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
                errors.append(graph_errors.unexpected(node, param, exc))
                continue
            if child is not None:
                if child.definition in on_path:
                    errors.append(graph_errors.cycle(node, on_path[child.definition]))
                    continue
                child.parent = node
                on_path[child.definition] = child
                stack.append((child, iter(self._parameters(child))))
            node.inputs.append((param, source))

        graph = Graph(root=root_node, nodes=order)
        for index, node in enumerate(order):
            node.index = index
        errors.extend(check_lifetimes(graph))
        if sync:
            errors.extend(check_sync(graph))
        if not errors:
            assign_keys(graph, self._interned, self._interning)
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
                raise graph_errors.marker_without_annotation(consumer, param)
            target = unwrap_injected(unwrap_alias(target))  # Depends(SomeAlias) too
            definition: Hashable = ("call", Identity(target), param.marker.scope)
            if param.marker.use_cache:
                existing = self._done.get(definition)
                if existing is not None:
                    return Input.of(existing), None
            node = self._marker_node(consumer, param, target, definition)
            return Input.of(node), node
        if annotation is not MISSING:
            if annotation in context_types:
                return Input("context", context_type=annotation), None
            if annotation is BackgroundTasks:
                return Input("tasks"), None
            if self._lookup(annotation) is not None:
                definition = ("type", Identity(annotation))
                existing = self._done.get(definition)
                if existing is not None:
                    return Input.of(existing), None
                node = self._registered_node(consumer, annotation, definition)
                return Input.of(node), node
        if param.default is MISSING and (self._strict_free or self._must_provide(consumer, param)):
            raise graph_errors.unresolvable(consumer, param)
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
            raise graph_errors.not_a_type(consumer, param, exc) from exc

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
            raise graph_errors.marker_not_callable(consumer, param, target)
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


def _is_instance(value: Any, provides: Any) -> bool:
    """Whether an override's replacement is a ready value of the provided type."""
    if not isinstance(provides, type) or isinstance(value, type):
        return False
    try:
        return isinstance(value, provides)
    except TypeError:  # typing constructs (Any, generic aliases) refuse isinstance
        return False
