"""``python -m stress``: every stress script, quick (default) or at full size (``--full``).

Exits 1 if any script found a problem.  ``--output FILE`` also writes the tables.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import cancellation, disconnect, load, thread_race
from ._report import Report

SIZES: dict[str, list[tuple[str, Callable[[list[str]], Report], list[str]]]] = {
    "quick": [
        ("stress.load", load.cli, ["--requests", "600", "--concurrency", "20", "--warmup", "200"]),
        ("stress.disconnect", disconnect.cli, ["--requests", "10", "--concurrency", "10"]),
        ("stress.cancellation", cancellation.cli, ["--repeat", "1"]),
        ("stress.thread_race", thread_race.cli, ["--containers", "300"]),
    ],
    "full": [
        (
            "stress.load",
            load.cli,
            ["--requests", "20000", "--concurrency", "100", "--warmup", "5000"],
        ),
        ("stress.disconnect", disconnect.cli, ["--requests", "200", "--concurrency", "20"]),
        ("stress.cancellation", cancellation.cli, ["--repeat", "3"]),
        ("stress.thread_race", thread_race.cli, ["--containers", "5000", "--threads", "32"]),
    ],
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stress", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the sizes of docs/reliability.md")
    parser.add_argument("--output", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    reports = [cli(options) for _, cli, options in SIZES["full" if args.full else "quick"]]
    text = "\n".join(report.markdown() for report in reports)
    print(text)
    if args.output is not None:
        args.output.write_text(text)
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
