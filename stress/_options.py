"""Command-line options the scripts share."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._apps import FRAMEWORKS, WIRINGS


def parser(module: str, doc: str | None, *, time_limit: float) -> argparse.ArgumentParser:
    """A parser for ``python -m stress.<module>`` with ``--time-limit`` (seconds)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m stress.{module}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--time-limit", type=float, default=time_limit, help="seconds; the run stops itself"
    )
    return parser


def add_servers(parser: argparse.ArgumentParser) -> None:
    """``--frameworks`` and ``--wirings``: which servers to run (default: all four)."""
    parser.add_argument("--frameworks", nargs="+", choices=FRAMEWORKS, default=FRAMEWORKS)
    parser.add_argument("--wirings", nargs="+", choices=WIRINGS, default=WIRINGS)


def command(module: str, argv: Sequence[str] | None) -> str:
    """The command line as a reader would type it, for the report."""
    words = sys.argv[1:] if argv is None else list(argv)
    return " ".join([f"python -m stress.{module}", *words])
