"""``python -m benchmarks``: run the benchmarks and write the report.

Without options: every contender, every shape; writes ``docs/benchmarks.md`` and
``docs/benchmarks.png``. ``--quick`` is a smoke run that prints the report instead
(unless ``--output`` is given).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks._options import add_selection
from benchmarks.harness import EXTRA_SHAPES, QUICK, TIMED_SHAPES, Config, run
from benchmarks.report import chart_available, relative_chart_path, render_markdown, write_chart

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"
ALL_SHAPES = TIMED_SHAPES + EXTRA_SHAPES


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Per-request cost of the same request shapes in several DI libraries.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a fast smoke run (few rounds, tiny batches); prints the report unless --output",
    )
    add_selection(parser, shapes=ALL_SHAPES)
    parser.add_argument("--rounds", type=int, help="interleaved rounds per shape")
    parser.add_argument("--target-ms", type=float, help="wall time of one timed batch")
    parser.add_argument("--output", type=Path, help=f"markdown report (default {DEFAULT_OUTPUT})")
    parser.add_argument("--chart", type=Path, help="PNG chart (default: next to --output)")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the chart")
    parser.add_argument("--json", type=Path, help="also dump the raw results as JSON here")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="stop on the first setup error or failed semantic check instead of reporting n/a",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = Config(contenders=args.contenders, shapes=args.shapes, strict=args.strict)
    if args.quick:
        config = dataclasses.replace(config, **QUICK)
    if args.rounds:
        config.rounds = args.rounds
    if args.target_ms:
        config.target_ns = int(args.target_ms * 1e6)

    output: Path | None = args.output or (None if args.quick else DEFAULT_OUTPUT)
    chart: Path | None = None
    if not args.no_chart and output is not None:
        if chart_available():
            chart = args.chart or output.with_suffix(".png")
        else:
            print("matplotlib is not installed: no chart (use --group bench)", file=sys.stderr)

    results = run(config)

    drawn = False
    if chart is not None and output is not None:
        chart.parent.mkdir(parents=True, exist_ok=True)
        drawn = write_chart(results, chart)
    markdown = render_markdown(
        results, relative_chart_path(output, chart) if drawn and chart and output else None
    )
    if output is None:
        print(markdown)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(markdown, encoding="utf-8")
        print(f"wrote {output}" + (f" and {chart}" if drawn else ""), file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results.to_json(), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
