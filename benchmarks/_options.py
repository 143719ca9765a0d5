"""Command-line options shared by ``python -m benchmarks`` and ``benchmarks.instructions``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from benchmarks.contenders import CONTENDERS


def _names(value: str, known: Sequence[str], what: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    return names


def add_selection(
    parser: argparse.ArgumentParser,
    *,
    shapes: Sequence[str],
    contenders: Sequence[str] = tuple(CONTENDERS),
) -> None:
    """``--contenders`` and ``--shapes``: comma-separated subsets, defaults as given."""
    parser.add_argument(
        "--contenders",
        type=lambda v: _names(v, tuple(CONTENDERS), "contender"),
        default=tuple(contenders),
        help=f"comma-separated subset of: {', '.join(CONTENDERS)} "
        f"(default: {','.join(contenders)})",
    )
    parser.add_argument(
        "--shapes",
        type=lambda v: _names(v, tuple(shapes), "shape"),
        default=tuple(shapes),
        help=f"comma-separated subset of: {', '.join(shapes)}",
    )
