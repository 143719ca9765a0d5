"""``python -m injectkit``: look at dependency graphs from the command line.

    python -m injectkit graph app.main:send_notification            # text
    python -m injectkit graph app.main:container --format mermaid   # every injected function
    python -m injectkit explain app.main:send_notification          # scopes, finalizers
    python -m injectkit explain app.main:container                  # ... and unused providers

A target is ``module:attribute`` (the attribute may be dotted): a container or a
function.  A function decorated with ``container.inject`` is solved in its own container,
an adapter's route in the container its module holds (checked as the adapter checks it at
start-up), any other function in the ``--container`` given (default:
``injectkit.default_container``); ``_cli_targets`` says how.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._cli_targets import Target, UsageError, container_suggestion, load, targets
from ._error_layout import wrapped
from ._exceptions import InjectionError
from ._introspect import describe
from ._render import GraphView, caption, render_mermaid

if TYPE_CHECKING:
    from .integrations._request_parameters import RequestParameters

__all__ = ["main"]


def _mermaid(views: Sequence[GraphView]) -> str:
    """One flowchart with a subgraph per function."""
    return render_mermaid(views, [view.root.label for view in views])


def _dot(views: Sequence[GraphView]) -> str:
    """One digraph with a cluster per function."""
    lines = ["digraph injectkit {", "    rankdir=TB;"]
    for index, view in enumerate(views):
        title = view.root.label.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f"    subgraph cluster_{index} {{")
        lines.append(f'        label="{title}";')
        for node in view.nodes:
            text = caption(node).replace("\\", "\\\\").replace('"', '\\"')
            shape = "ellipse" if node.kind in ("free", "context", "tasks") else "box"
            lines.append(f'        g{index}_{node.id} [label="{text}", shape={shape}];')
        for edge in view.edges:
            lines.append(
                f"        g{index}_{edge.source} -> g{index}_{edge.target} "
                f'[label="{edge.parameter}"];'
            )
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines)


def _render(views: Sequence[GraphView], fmt: str, whole_container: bool) -> str:
    if not whole_container:
        view = views[0]
        return {"text": view.to_text, "mermaid": view.to_mermaid, "dot": view.to_dot}[fmt]()
    if fmt == "text":
        return "\n\n".join(view.to_text() for view in views)
    return _mermaid(views) if fmt == "mermaid" else _dot(views)


def _graph(args: argparse.Namespace) -> str:
    target, contexts = _target(args)
    views = []
    for function in target.functions:
        view = target.container.graph(function, context_types=contexts)
        request = _request_parameters(target, view)
        views.append(view if request is None else view.with_free_sources(request.sources()))
    return _render(views, args.format, target.whole_container)


def _request_parameters(target: Target, view: GraphView) -> RequestParameters | None:
    """For an adapter's route: which free parameters a client sets (path or query)."""
    if not target.strict:
        return None
    from .integrations._request_parameters import sort_request_parameters

    return sort_request_parameters(view.free_parameters, target.passed)


def _explain(args: argparse.Namespace) -> str:
    from .testing._explain import describe_types, explain_view, unused_providers

    target, contexts = _target(args)
    container = target.container
    parts = []
    for function in target.functions:
        view = container.graph(function, context_types=contexts)
        parts.append(str(explain_view(view, _request_parameters(target, view))))
    if target.whole_container:
        unused = unused_providers(container, context_types=contexts)
        parts.append(
            f"unused providers: {describe_types(unused)}"
            if unused
            else "unused providers: none (every registered type is used)"
        )
    return "\n\n".join(parts)


def _target(args: argparse.Namespace) -> tuple[Target, list[Any]]:
    """The target and the context types; an adapter's route checked as its adapter does."""
    target = targets(load(args.target), args.target, args.container)
    contexts = [load(spec) for spec in args.context]
    if target.strict:
        try:
            target.container.validate(
                *target.functions, context_types=contexts, strict=True, passed=target.passed
            )
        except InjectionError as exc:
            raise _Unsolved(
                exc, container_suggestion(exc, target, contexts, _rerun(args))
            ) from None
        return target, contexts
    try:
        for function in target.functions:
            target.container.graph(function, context_types=contexts)
    except InjectionError as exc:
        if target.whole_container:
            raise
        raise _Unsolved(exc, container_suggestion(exc, target, contexts, _rerun(args))) from None
    return target, contexts


def _rerun(args: argparse.Namespace) -> str:
    contexts = "".join(f" --context {spec}" for spec in args.context)
    return f"python -m injectkit {args.command} {args.target}{contexts}"


class _Unsolved(Exception):
    """An InjectionError, with the ``--container`` to try if there is one."""

    def __init__(self, error: InjectionError, suggestion: str | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.suggestion = suggestion


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m injectkit", description="Look at injectkit dependency graphs."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary in (
        ("graph", "print the dependency graph of a function, or of every injected function"),
        ("explain", "what a function pulls in, at which scope, which finalizers run"),
    ):
        command = commands.add_parser(name, help=summary, description=summary)
        command.add_argument(
            "target", help="module:function or module:container (a Container instance)"
        )
        command.add_argument(
            "--container",
            metavar="MODULE:ATTR",
            help="the container to solve a plain function in (default: the one it was "
            "injected with, else injectkit.default_container)",
        )
        command.add_argument(
            "--context",
            action="append",
            default=[],
            metavar="MODULE:TYPE",
            help="a type the request context provides (as an adapter does); repeatable",
        )
        if name == "graph":
            command.add_argument(
                "--format", choices=("text", "mermaid", "dot"), default="text", help="output"
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:  # as `python -m` does, for main() callers
        sys.path.insert(0, cwd)
    try:
        output = _graph(args) if args.command == "graph" else _explain(args)
    except UsageError as exc:
        usage = wrapped(str(exc), first=f"python -m injectkit {args.command}: ", indent="  ")
        print(usage, file=sys.stderr)
        return 2
    except _Unsolved as unsolved:
        print(f"{describe(type(unsolved.error))}: {unsolved.error}", file=sys.stderr)
        if unsolved.suggestion:
            suggestion = wrapped(unsolved.suggestion, first="  --container: ", indent=" " * 15)
            print(suggestion, file=sys.stderr)
        return 1
    except InjectionError as exc:
        print(f"{describe(type(exc))}: {exc}", file=sys.stderr)
        return 1
    print(output)
    return 0
