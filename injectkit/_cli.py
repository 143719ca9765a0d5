"""``python -m injectkit``: look at dependency graphs from the command line.

    python -m injectkit graph app.main:send_notification            # text
    python -m injectkit graph app.main:container --format mermaid   # every injected function
    python -m injectkit explain app.main:send_notification          # scopes, finalizers
    python -m injectkit explain app.main:container                  # ... and unused providers

A target is ``module:attribute`` (the attribute may be dotted).  A function decorated
with ``container.inject`` is solved in its own container; any other callable in the
``--container`` given (default: ``injectkit.default_container``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._container import Container, default_container
from ._exceptions import InjectionError
from ._introspect import describe
from ._render import GraphNode, GraphView

__all__ = ["main"]


class _UsageError(Exception):
    """A target that cannot be found; reported on stderr with exit status 2."""


def _load(spec: str) -> Any:
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise _UsageError(
            f"{spec!r} is not a target; write module:attribute, e.g. app.main:handler"
        )
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise _UsageError(f"cannot import {module_name!r}: {exc}") from None
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise _UsageError(f"{module_name!r} has no attribute {attribute!r}") from None
    return obj


def _targets(
    obj: Any, container_spec: str | None
) -> tuple[Container, list[Callable[..., Any]], bool]:
    """The container, the functions to show, and whether the target was a whole container."""
    if isinstance(obj, Container):
        from .testing._core_access import injected_functions

        functions = injected_functions(obj)
        if not functions:
            raise _UsageError("that container has no functions decorated with container.inject")
        return obj, functions, True
    if not callable(obj):
        raise _UsageError(f"{obj!r} is neither a container nor a callable")
    if container_spec is not None:
        container = _load(container_spec)
        if not isinstance(container, Container):
            raise _UsageError(f"--container {container_spec} is not a Container")
    else:
        container = getattr(obj, "__injectkit_container__", None) or default_container
    from .testing._core_access import handler_of

    return container, [handler_of(obj)], False


def _caption(node: GraphNode) -> str:
    parts = [node.label]
    if node.scope and node.kind not in ("context", "tasks"):
        parts.append(node.scope + ("" if node.cached else ", not cached"))
    if node.finalizer:
        parts.append("yield")
    if node.overridden:
        parts.append(f"overrides {node.overridden}")
    return parts[0] + (f" [{', '.join(parts[1:])}]" if len(parts) > 1 else "")


_LEAF_KINDS = ("free", "context", "tasks")


def _mermaid(views: Sequence[GraphView]) -> str:
    """One flowchart with a subgraph per function (node ids prefixed to stay apart)."""
    lines = ["graph TD"]
    for index, view in enumerate(views):
        lines.append(f'    subgraph g{index}["{view.root.label}"]')
        for node in view.nodes:
            text = _caption(node).replace('"', "#quot;")
            shape = ('(["', '"])') if node.kind in _LEAF_KINDS else ('["', '"]')
            lines.append(f"        g{index}_{node.id}{shape[0]}{text}{shape[1]}")
        for edge in view.edges:
            lines.append(
                f"        g{index}_{edge.source} -->|{edge.parameter}| g{index}_{edge.target}"
            )
        lines.append("    end")
    return "\n".join(lines)


def _dot(views: Sequence[GraphView]) -> str:
    """One digraph with a cluster per function."""
    lines = ["digraph injectkit {", "    rankdir=TB;"]
    for index, view in enumerate(views):
        title = view.root.label.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f"    subgraph cluster_{index} {{")
        lines.append(f'        label="{title}";')
        for node in view.nodes:
            text = _caption(node).replace("\\", "\\\\").replace('"', '\\"')
            shape = "ellipse" if node.kind in _LEAF_KINDS else "box"
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
    container, functions, whole = _targets(_load(args.target), args.container)
    contexts = [_load(spec) for spec in args.context]
    views = [container.graph(f, context_types=contexts) for f in functions]
    return _render(views, args.format, whole)


def _explain(args: argparse.Namespace) -> str:
    from .testing._explain import describe_types, explain_view, unused_providers

    container, functions, whole = _targets(_load(args.target), args.container)
    contexts = [_load(spec) for spec in args.context]
    parts = [str(explain_view(container.graph(f, context_types=contexts))) for f in functions]
    if whole:
        unused = unused_providers(container, context_types=contexts)
        parts.append(
            f"unused providers: {describe_types(unused)}"
            if unused
            else "unused providers: none (every registered type is used)"
        )
    return "\n\n".join(parts)


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
    except _UsageError as exc:
        print(f"python -m injectkit {args.command}: {exc}", file=sys.stderr)
        return 2
    except InjectionError as exc:
        print(f"{describe(type(exc))}: {exc}", file=sys.stderr)
        return 1
    print(output)
    return 0
