"""The outermost call's arguments, bound to free parameters by name (design §3).

Positional arguments bind, in order, to the handler's own free parameters; keywords are
offered by name to every free parameter of the graph.  What is left goes to the
handler's ``*args`` / ``**kwargs`` if it has them, and is an ``InjectionError`` if not.

A plan only calls into this module when a call is not the common case (positional
arguments, or a keyword no free parameter takes): a call that passes known keywords only
never gets here.  The names a call may pass are decided when the plan is compiled, and
an override never shrinks them (see :func:`accepted_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._exceptions import InjectionError
from ._graph import Graph, Node
from ._scope import Scope

__all__ = ["NO_EXTRA", "Binder", "accepted_names", "positional_names"]


def _plan_free_inputs(graph: Graph, nodes: Iterable[Node]) -> list[tuple[Node, Any, Any]]:
    """The free inputs a call fills: those of ``nodes`` not built once for the app."""
    return [
        (node, param, source)
        for node in nodes
        if not (node.scope is Scope.APP and node is not graph.root)
        for param, source in node.inputs
        if source.kind == "free"
    ]


def accepted_names(graph: Graph, nodes: Iterable[Node]) -> frozenset[str]:
    """The keywords a call of ``graph`` may pass: its free parameters' names."""
    return frozenset(source.name for _, _, source in _plan_free_inputs(graph, nodes))


def positional_names(graph: Graph) -> tuple[str, ...]:
    """The handler's own free parameters that a positional argument may fill, in order."""
    return tuple(
        source.name
        for param, source in graph.root.inputs
        if source.kind == "free" and not param.keyword_only
    )


NO_EXTRA: dict[str, Any] = {}  # never changed: ``**`` copies it into the handler's call


class Binder:
    """Binds one plan's call arguments; made when the plan is compiled.

    ``accepted`` and ``positional`` may name parameters the graph no longer has (an
    override replaced their provider): such values are taken and ignored.
    """

    def __init__(self, graph: Graph, accepted: frozenset[str], positional: tuple[str, ...]) -> None:
        self.graph = graph
        self.accepted = accepted
        self.positional = positional
        signature = graph.root.signature
        self.var_positional = signature is not None and signature.var_positional
        self.var_keyword = signature is not None and signature.var_keyword
        # The handler's injected parameters: never passed by a caller, not even to **kwargs.
        self.injected = frozenset(
            param.name for param, source in graph.root.inputs if source.kind != "free"
        )
        # Free parameters of app-scoped providers take their defaults, never call values.
        self.app_only = {
            source.name: node.label
            for node, _, source in graph.free_inputs()
            if source.name not in accepted
        }

    # -- the two entry points of a plan that has no *args / **kwargs ----------------------

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Positional arguments turned into keywords; every keyword checked."""
        bound, _ = self._positional(args, kwargs)
        self.check(bound)
        return bound

    def check(self, kwargs: dict[str, Any]) -> None:
        """Raise the error for keywords that no free parameter takes (if any)."""
        unknown = sorted(kwargs.keys() - self.accepted)
        if unknown:
            raise self._unknown(unknown)

    # -- the entry point of a plan whose handler has *args or **kwargs --------------------

    def bind_open(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[Any, ...], dict[str, Any]]:
        """(keywords for free parameters, the handler's ``*args``, its ``**kwargs``)."""
        bound, extra_args = self._positional(args, kwargs)
        unknown = bound.keys() - self.accepted
        if not unknown:
            return bound, extra_args, NO_EXTRA
        refused = sorted(
            name
            for name in unknown
            if not self.var_keyword or name in self.injected or name in self.app_only
        )
        if refused:
            raise self._unknown(refused)
        extra_kwargs = {name: bound.pop(name) for name in unknown}
        return bound, extra_args, extra_kwargs

    # -- helpers ---------------------------------------------------------------------------

    def _positional(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[Any, ...]]:
        root = self.graph.root.label
        count = len(self.positional)
        if len(args) > count and not self.var_positional:
            raise InjectionError(
                f"{root} takes {count} positional argument(s) that are not injected "
                f"({', '.join(self.positional) or 'none'}), but {len(args)} were given.",
                path=(root,),
                hint=self._positional_hint(len(args)),
            )
        bound = dict(zip(self.positional, args, strict=False))
        twice = bound.keys() & kwargs.keys()
        if twice:
            raise InjectionError(
                f"{root} got multiple values for {', '.join(sorted(twice))}.",
                path=(root,),
            )
        bound.update(kwargs)
        return bound, args[count:]

    def _positional_hint(self, given: int) -> str:
        """The fix for too many positional values: where a plain call would put them."""
        spots = [param for param, _ in self.graph.root.inputs if not param.keyword_only]
        injected = [
            param.name
            for param, source in self.graph.root.inputs
            if param in spots[:given] and source.kind != "free"
        ]
        # A value for an injected parameter that a dependency's free parameter shares the
        # name of was most likely meant for that one: it goes by keyword.
        if injected and not self.accepted.intersection(injected):
            return (
                f"leave out the value(s) for {', '.join(injected)}: injected parameters "
                "cannot be passed by the caller (override their dependency instead)."
            )
        by_name = sorted(self.accepted.difference(self.positional))
        if by_name:
            return (
                f"pass the other values by keyword; the names that take one: {', '.join(by_name)}."
            )
        return "leave out the extra value(s): no other parameter of its graph takes one."

    def _allowed(self) -> str:
        """The sentence that says what a call may pass."""
        if self.accepted:
            return f"The names a call may pass are: {', '.join(sorted(self.accepted))}."
        return (
            f"A call of {self.graph.root.label} may pass nothing: no parameter of its "
            "graph is filled from the call."
        )

    def _unknown(self, unknown: list[str]) -> InjectionError:
        root = self.graph.root.label
        app_only = [name for name in unknown if name in self.app_only]
        if app_only:
            name = app_only[0]
            owner = self.app_only[name]
            return InjectionError(
                f"{root} got keyword argument {name!r}, but the only parameter of that "
                f"name belongs to {owner}, which is built once for the app and so takes "
                "its default, not a call's value.",
                path=(root, owner),
                requested=name,
                hint=f"make {owner} request-scoped to take {name} from the call, or stop "
                f"passing it. {self._allowed()}",
            )
        injected = [name for name in unknown if name in self.injected]
        if injected:
            verb = "is" if len(injected) == 1 else "are"
            reason = f"{', '.join(injected)} {verb} injected"
        else:
            reason = "no free parameter of its graph has that name"
        # Imported here: one module more in memory makes the garbage collector's full
        # passes dearer on every call (+5 % instructions per request in `single`).
        import difflib

        guesses = [
            f"{name!r}: did you mean {match[0]!r}?"
            for name in unknown
            if (match := difflib.get_close_matches(name, self.accepted, n=1))
        ]
        hint = " ".join(
            [
                *guesses,
                self._allowed(),
                "Injected parameters cannot be passed by the caller; to replace a "
                "dependency, override it.",
            ]
        )
        return InjectionError(
            f"{root} got unexpected keyword argument(s) {', '.join(unknown)}: {reason}.",
            path=(root,),
            requested=", ".join(unknown),
            hint=hint if guesses else hint[0].lower() + hint[1:],
        )
