"""Redraw docs/benchmarks.png from the figures docs/benchmarks.md already shows.

A benchmark run (``uv run --group bench python -m benchmarks``) writes the page and the
chart together.  After a change to how the chart is drawn (benchmarks/report.py's
``draw_chart``), this redraws it from the page's summary table, without a new run, so
the chart and the table keep showing the same run:

    uv run --group bench python scripts/redraw_benchmark_chart.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import draw_chart  # noqa: E402

PAGE = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "benchmarks.png"


def summary(page: str) -> tuple[list[str], dict[str, list[float | None]], str]:
    """The shapes, each contender's ratios (hand-written left out) and the run's line."""
    run = re.search(r"^Run on (.+?) with (\S+ [\d.]+) ", page, re.MULTILINE)
    if run is None:
        raise SystemExit(f"{PAGE.name}: no 'Run on ... with ...' line")
    table = page.split("## Summary", 1)[1].split("\n\n", 2)[1]
    header, _rule, *rows = table.strip().splitlines()
    shapes = [cell.strip(" `") for cell in header.strip("|").split("|")[1:]]
    series: dict[str, list[float | None]] = {}
    for row in rows:
        name, *cells = (cell.strip() for cell in row.strip("|").split("|"))
        if name != "hand-written":
            series[name] = [None if cell == "n/a" else float(cell) for cell in cells]
    return shapes, series, f"{run.group(2)}, {run.group(1)}"


def main() -> int:
    shapes, series, run = summary(PAGE.read_text(encoding="utf-8"))
    draw_chart(shapes, series, run, CHART)
    print(f"wrote {CHART.relative_to(ROOT)}: {len(series)} contenders, {len(shapes)} shapes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
