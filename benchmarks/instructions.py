"""Instructions per request, counted by valgrind's callgrind: the repeatable companion to
the wall-clock medians of ``python -m benchmarks``.

Wall-clock medians on a shared machine move by 10-30 % between runs; instruction counts
do not (the hash seed is fixed).  For each shape and contender, one process makes the
shape, makes one request (warm-up), then ``--requests`` more; a second process stops after
the warm-up.  The difference, divided by ``--requests``, is the cost of one request, with
start-up and imports cancelled out.  An instruction is not a nanosecond (allocation-heavy
code runs fewer of them per nanosecond), so read these next to the timed table, not
instead of it.

    uv run --group bench python -m benchmarks.instructions
    uv run --group bench python -m benchmarks.instructions --contenders handwritten,injectkit,dishka
    ... --output docs/benchmarks-instructions.md   # the page in the docs
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio

from benchmarks._options import add_selection
from benchmarks.contenders import load
from benchmarks.shapes import SHAPES, new_shape

SHAPE_KEYS = tuple(info.key for info in SHAPES)
DEFAULT_CONTENDERS = ("handwritten", "injectkit")
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _child(shape_key: str, contender_key: str, requests: int) -> None:
    """Make one shape's case and call it 1 + ``requests`` times (run under callgrind)."""
    contender = load(contender_key)
    builder = contender.builder(shape_key)
    if builder is None:
        raise SystemExit(f"{contender.name} has no {shape_key}: {contender.unavailable or ''}")
    call = builder(new_shape(shape_key)).call
    if next(info for info in SHAPES if info.key == shape_key).is_async:

        async def main() -> None:
            for _ in range(requests + 1):
                await call()

        anyio.run(main)
    else:
        for _ in range(requests + 1):
            call()


def count_instructions(valgrind: str, arguments: Sequence[str]) -> int:
    """The instructions ``python -m <arguments>`` executes, counted by callgrind (with a
    fixed hash seed, so that the count repeats)."""
    proc = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            *arguments,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    found = _COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def _count(valgrind: str, shape: str, contender: str, requests: int) -> int:
    arguments = ["benchmarks.instructions", "--child", shape, contender, str(requests)]
    return count_instructions(valgrind, arguments)


def per_request(valgrind: str, shape: str, contender: str, requests: int) -> int:
    """Instructions one request costs: (warm-up + N requests) minus (warm-up), over N."""
    base = _count(valgrind, shape, contender, 0)
    return round((_count(valgrind, shape, contender, requests) - base) / requests)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.instructions",
        description="Instructions per request (valgrind callgrind), ratio to hand-written.",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("SHAPE", "CONTENDER", "N"), help=argparse.SUPPRESS
    )
    add_selection(parser, shapes=SHAPE_KEYS, contenders=DEFAULT_CONTENDERS)
    parser.add_argument(
        "--requests", type=int, default=5000, help="requests counted (default 5000)"
    )
    parser.add_argument("--output", type=Path, help="also write the table there (markdown)")
    args = parser.parse_args(argv)
    if args.child:
        shape, contender, n = args.child
        _child(shape, contender, int(n))
        return 0
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    contenders = ("handwritten", *(c for c in args.contenders if c != "handwritten"))
    loaded = [load(c) for c in contenders]
    lines = [
        "# Benchmarks: instructions per request",
        "",
        f"Run on {datetime.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{args.requests:,} requests per count, with "
        "`uv run --group bench python -m benchmarks.instructions"
        + (f" --contenders {','.join(contenders)}" if contenders != DEFAULT_CONTENDERS else "")
        + (f" --requests {args.requests}" if args.requests != 5000 else "")
        + "`. Versions: "
        + ", ".join(f"{c.name} {c.version}".strip() for c in loaded[1:])
        + ".",
        "",
        "The same shapes as [the timed benchmarks](benchmarks.md), counted in instructions by "
        "valgrind's callgrind instead of timed: one request's instructions, start-up and "
        "imports cancelled out (a run of N + 1 requests minus a run of 1). These repeat "
        "exactly from run to run, where the wall-clock medians move by 10-30 % on a shared "
        "machine. An instruction is not a nanosecond: code that allocates more runs fewer "
        "instructions per nanosecond, so the timed ratios run somewhat higher than these. "
        "In brackets: the ratio to hand-written wiring.",
        "",
        "| shape | " + " | ".join(c.name for c in loaded) + " |",
        "| --- |" + " ---: |" * len(loaded),
    ]
    print("\n".join(lines), flush=True)
    for shape in args.shapes:
        counts = [per_request(valgrind, shape, c, args.requests) for c in contenders]
        floor = counts[0]
        cells = [f"{counts[0]:,}"] + [f"{n:,} ({n / floor:.2f}x)" for n in counts[1:]]
        lines.append(f"| `{shape}` | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    if args.output:
        args.output.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
