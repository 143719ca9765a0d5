"""Endpoints: a handler prepared once per container, read and run per request.

An adapter's ``inject`` marks the wrapper it hands the framework with
:func:`mark_endpoint` (an :class:`EndpointMark`: the handler, the parameters the framework
fills itself, the decorator's locals).  :class:`Endpoints` turns a mark into an
:class:`Endpoint` once (validated strictly, its free parameters' readers made) and keeps
it; per request, ``Endpoint.read`` fills the free parameters and ``run``/``call``/
``call_sync`` call the handler in the request's scope.

The readers depend on the graph, which overrides change: an endpoint rebuilds them when
the container's registrations or overrides change, and keeps a set per context-local
override (a test's ``override(..., local=True)``), keyed by the override's layer.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

from .. import Container, InjectionError, RequestScope, UnresolvableDependencyError
from .._exceptions import combine
from .._introspect import (
    ORIGINAL_ATTR,
    call_kind,
    caller_locals,
    describe,
    type_name,
    unwrap_injected,
)
from .._render import FreeParameter
from ._request_parameters import sort_request_parameters
from ._request_values import (
    FieldReader,
    InvalidParameters,
    ParameterProblem,
    Unconvertible,
    converter_for,
)

__all__ = [
    "ENDPOINT_ATTR",
    "EndpointMark",
    "mark_endpoint",
    "caller_namespace",
    "endpoint_of",
    "Endpoint",
    "Endpoints",
]


ENDPOINT_ATTR = "__injectkit_endpoint__"
"""The attribute an adapter's ``inject`` sets on its wrapper: an :class:`EndpointMark`."""


@dataclass(frozen=True)
class EndpointMark:
    """What a wrapper made by an adapter's ``inject`` runs.

    ``provided`` names the free parameters the framework itself fills (FastAPI's own
    path, query and body parameters), which the adapter must not read again.
    """

    handler: Callable[..., Any]
    provided: frozenset[str] = frozenset()
    # The locals around the decorator, for string annotations that name local classes
    # (``from __future__ import annotations`` in a function that defines endpoints).
    namespace: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)


def mark_endpoint(
    wrapper: Any,
    handler: Callable[..., Any],
    provided: Collection[str] = (),
    *,
    depth: int | None = None,
    namespace: Mapping[str, Any] | None = None,
) -> EndpointMark:
    """Record on ``wrapper`` (what the framework routes to) that it runs ``handler``.

    ``depth``: how many frames up the user's decorator call is, counted from the
    caller of ``mark_endpoint`` (1 when the adapter's ``inject`` calls it directly);
    its locals help resolve annotations that name local classes.  An adapter that has
    read them already passes them as ``namespace``.
    """
    if depth is not None:
        namespace = caller_namespace(depth + 1)
    mark = EndpointMark(unwrap_injected(handler), frozenset(provided), namespace)
    setattr(wrapper, ENDPOINT_ATTR, mark)
    # container.graph(wrapper), validate(wrapper) and Depends(wrapper) then see the handler.
    setattr(wrapper, ORIGINAL_ATTR, mark.handler)
    return mark


caller_namespace = caller_locals  # the same frame walk as the core's decorators


def endpoint_of(obj: Any) -> EndpointMark | None:
    """The mark of a wrapper made by an adapter's ``inject``, or None."""
    mark = getattr(obj, ENDPOINT_ATTR, None)
    return mark if isinstance(mark, EndpointMark) else None


_LAYERS_KEPT = 64  # local override layers whose readers an endpoint remembers


class Endpoint:
    """A handler prepared once for one container and one set of context types.

    ``read(*sources)`` takes ``(source_name, mapping)`` pairs, first match wins (path
    before query), and returns the values for the handler's free parameters;
    ``call``/``call_sync`` run the handler in an open request scope.
    """

    def __init__(
        self,
        container: Container,
        handler: Callable[..., Any],
        context_types: frozenset[Any],
        provided: frozenset[str],
        namespace: Mapping[str, Any] | None = None,
    ) -> None:
        self.container = container
        self._override_state = container._override_state  # read per request (local ones)
        self.handler = unwrap_injected(handler)
        self.name = describe(self.handler)
        self.context_types = context_types
        self.provided = provided
        self.is_async = call_kind(self.handler).is_async
        self._lock = threading.Lock()
        self._generation: object = object()
        self._fields: tuple[FieldReader, ...] = ()
        # Readers under context-local overrides, by layer (id -> (layer, readers)).
        self._by_layer: dict[int, tuple[object, tuple[FieldReader, ...]]] = {}
        if namespace:
            # No public way yet to hand the core a namespace for a function that is not
            # decorated by the container itself.
            container._signatures.remember_namespace(self.handler, dict(namespace))
        self.refresh()

    # Overrides change the graph (a fake provider may take other free parameters), so the
    # readers are rebuilt when the container's registrations or overrides change.
    def _current_generation(self) -> object:
        return getattr(self.container, "_generation", None)

    def refresh(self, *, if_stale: bool = False) -> None:
        """Validate the graph and rebuild the readers (raises InjectionError)."""
        with self._lock:
            generation = self._current_generation()
            if if_stale and generation == self._generation:
                return  # another request refreshed them while this one waited
            # Outside any context-local override: these readers serve every context.
            self._fields = contextvars.Context().run(self._validated_readers)
            self._by_layer.clear()
            self._generation = generation

    def _validated_readers(self) -> tuple[FieldReader, ...]:
        # Strict: only the framework calls the handler, and it passes no services, so an
        # unregistered class-typed parameter is reported now, not at each request.
        self.container.validate(
            self.handler, context_types=self.context_types, strict=True, passed=self.provided
        )
        return self._readers()

    def _readers(self) -> tuple[FieldReader, ...]:
        """The readers of the graph in force here (overrides included); InjectionError
        for a free parameter that no request string can fill, or that is marked
        NotFromRequest while the framework fills its name from the request."""
        graph = self.container.graph(self.handler, context_types=self.context_types)
        sorted_ = sort_request_parameters(graph.free_parameters, self.provided)
        errors = [self._unreadable(free) for free in sorted_.unfilled]
        errors += [self._reached_by_framework(free) for free in sorted_.conflicting]
        if errors:
            raise combine(errors)
        return tuple(
            FieldReader(
                free.name,
                free.annotation,
                free.required,
                converter_for(free.annotation),
                free.owner,
                free.default,
            )
            for free in sorted_.from_request
        )

    def _layer_fields(self, layer: object) -> tuple[FieldReader, ...]:
        """The readers under a context-local override (a test's ``local=True``), whose
        replacement may read other parameters than the provider it replaces."""
        with self._lock:
            found = self._by_layer.get(id(layer))
        if found is not None and found[0] is layer:
            return found[1]
        fields = self._readers()
        with self._lock:
            if len(self._by_layer) >= _LAYERS_KEPT:
                self._by_layer.clear()
            self._by_layer[id(layer)] = (layer, fields)  # holding it keeps its id unique
        return fields

    def _path(self, owner: str) -> tuple[str, ...]:
        return (self.name,) if owner == self.name else (self.name, owner)

    def _unreadable(self, free: FreeParameter) -> InjectionError:
        name, annotation, owner = free.name, free.annotation, free.owner
        shown = (
            name if annotation is inspect.Parameter.empty else f"{name}: {type_name(annotation)}"
        )
        if free.not_from_request:
            return UnresolvableDependencyError(
                f"Parameter {shown!r} of {owner} is marked NotFromRequest and has no "
                "default, so nothing fills it in a request.",
                path=self._path(owner),
                requested=shown,
                hint="give it a default (the value every request gets), or provide it from "
                "the container (register its type, or mark it with Depends(...)).",
            )
        known = ", ".join(type_name(t) for t in sorted(self.context_types, key=type_name))
        return UnresolvableDependencyError(
            f"Parameter {shown!r} of {owner} cannot be provided: its type is not registered "
            f"in the container, not in the request context ({known or 'nothing'}), and a "
            "path or query string cannot be converted to it.",
            path=self._path(owner),
            requested=shown,
            hint=f"register {type_name(annotation)} with the container (or mark the "
            "parameter with Depends(...)), or annotate it as str, int, float or bool to "
            "read it from the path or query.",
        )

    def _reached_by_framework(self, free: FreeParameter) -> InjectionError:
        return InjectionError(
            f"Parameter {free.name!r} of {free.owner} is marked NotFromRequest, but "
            f"{self.name} has a parameter {free.name!r} that the framework fills from the "
            f"request, and its value reaches {free.owner} by name.",
            path=self._path(free.owner),
            requested=free.name,
            hint="rename one of the two parameters.",
        )

    @property
    def fields(self) -> tuple[FieldReader, ...]:
        """The free parameters read from the request (rebuilt if overrides changed)."""
        if self._generation != self._current_generation():
            self.refresh(if_stale=True)
        if self._override_state.local_count:  # a local override exists, maybe in this context
            layer = self.container._local_layer()
            if layer is not None:
                return self._layer_fields(layer)
        return self._fields

    def read(self, *sources: tuple[str, Mapping[str, Any]]) -> dict[str, Any]:
        """Values for the free parameters found in ``sources``; raises InvalidParameters."""
        values: dict[str, Any] = {}
        problems: list[ParameterProblem] = []
        for reader in self.fields:
            name = reader.name
            try:
                found, value = reader.read(sources)
            except Unconvertible as bad:
                source, raw = next((s, m[name]) for s, m in sources if name in m)
                problem = ParameterProblem(source, name, bad.kind, bad.message, raw, bad.context)
                problems.append(problem)
                continue
            if found:
                values[name] = value
            elif reader.required:
                where = sources[-1][0] if sources else "request"
                problems.append(ParameterProblem(where, name, "missing", "Field required"))
        if problems:
            raise InvalidParameters(problems)
        return values

    async def call(self, scope: RequestScope, values: Mapping[str, Any]) -> Any:
        """Run the handler in ``scope`` (awaited if async) with the request's values."""
        return await scope.call(self.handler, **values)

    def call_sync(self, scope: RequestScope, values: Mapping[str, Any]) -> Any:
        """Run a sync handler in ``scope``; its graph must be sync end to end."""
        return scope.call_sync(self.handler, **values)

    async def run(self, scope: RequestScope, values: Mapping[str, Any]) -> Any:
        """For async frameworks: ``call``, or ``call_sync`` in a worker thread for a sync
        handler (as Starlette and FastAPI run sync endpoints), never blocking the loop."""
        if self.is_async:
            return await scope.call(self.handler, **values)
        return await anyio.to_thread.run_sync(functools.partial(self.call_sync, scope, values))

    def __repr__(self) -> str:
        names = ", ".join(f.name for f in self._fields)
        return f"<Endpoint {self.name} reads [{names}]>"


class Endpoints:
    """The prepared endpoints of one container and one set of context types.

    ``prepare`` is for startup (it raises the graph's InjectionError); ``get`` is for a
    request, and prepares an endpoint the startup walk did not see (a route added later).
    Both take a handler or the :class:`EndpointMark` of its wrapper.
    """

    def __init__(self, container: Container, context_types: Iterable[Any] = ()) -> None:
        self.container = container
        self.context_types = frozenset(context_types)
        self._prepared: dict[Any, Endpoint] = {}
        self._lock = threading.Lock()

    def prepare(self, handler: Callable[..., Any] | EndpointMark) -> Endpoint:
        mark = handler if isinstance(handler, EndpointMark) else EndpointMark(handler)
        func = unwrap_injected(mark.handler)
        endpoint = Endpoint(self.container, func, self.context_types, mark.provided, mark.namespace)
        with self._lock:
            self._prepared[func] = endpoint
        return endpoint

    def get(self, handler: Callable[..., Any] | EndpointMark) -> Endpoint:
        func = handler.handler if isinstance(handler, EndpointMark) else handler
        endpoint = self._prepared.get(func)
        if endpoint is None:
            endpoint = self.prepare(handler)
        return endpoint

    def __len__(self) -> int:
        return len(self._prepared)
