"""The markdown report and the chart."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from benchmarks.contenders import PEERS
from benchmarks.harness import Results
from benchmarks.shapes import IO_DELAY, SHAPES

__all__ = [
    "chart_available",
    "draw_chart",
    "relative_chart_path",
    "render_markdown",
    "write_chart",
]

COMMAND = "uv run --group bench python -m benchmarks"


def _ns(value: float) -> str:
    return f"{value:,.0f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _ratios(results: Results, shape: str) -> dict[str, tuple[float | None, float | None]]:
    """contender -> (vs hand-written, vs best peer) for one shape."""
    rows = [t for t in results.timings if t.shape == shape and t.ok]
    base = next((t.median for t in rows if t.contender == "handwritten"), None)
    peers = [t.median for t in rows if t.contender in PEERS]
    best = min(peers) if peers else None
    return {
        t.contender: (t.median / base if base else None, t.median / best if best else None)
        for t in rows
    }


def _name(results: Results, key: str) -> str:
    return results.contenders[key].name


def _versions(results: Results) -> str:
    versions: dict[str, str] = {}
    for contender in results.contenders.values():
        distribution = getattr(contender.module, "DISTRIBUTION", None)
        if distribution and contender.version:
            versions.setdefault(distribution, contender.version)
    return ", ".join(f"{name} {version}" for name, version in versions.items())


def _summary(results: Results) -> list[str]:
    shapes = [info.key for info in SHAPES if any(t.shape == info.key for t in results.timings)]
    if not shapes:
        return []
    ratios = {shape: _ratios(results, shape) for shape in shapes}
    lines = [
        "| contender | " + " | ".join(f"`{s}`" for s in shapes) + " |",
        "| --- | " + " | ".join("---:" for _ in shapes) + " |",
    ]
    for key in results.contenders:
        cells = []
        for shape in shapes:
            rel = ratios[shape].get(key, (None, None))[0]
            cells.append(_ratio(rel) if rel is not None else "n/a")
        lines.append(f"| {_name(results, key)} | " + " | ".join(cells) + " |")
    return lines


def _shape_table(results: Results, shape: str) -> list[str]:
    rows = [t for t in results.timings if t.shape == shape]
    ratios = _ratios(results, shape)
    lines = [
        "| contender | median ns/request | spread | vs hand-written | vs best peer |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    notes: list[str] = []
    for t in rows:
        name = _name(results, t.contender)
        if t.ok:
            rel, peer = ratios[t.contender]
            lines.append(
                f"| {name} | {_ns(t.median)} | ±{t.spread:.0%} | "
                f"{_ratio(rel) if rel is not None else 'n/a'} | "
                f"{_ratio(peer) if peer is not None else 'n/a'} |"
            )
            if t.note:
                notes.append(f"- {name}: {t.note}")
        else:
            lines.append(f"| {name} | n/a | | | |")
            notes.append(f"- {name}: n/a: {t.reason}")
    return lines + (["", *notes] if notes else [])


def _build_table(results: Results) -> list[str]:
    lines = [
        "| contender | nodes | edges | register + validate, ms | first request, ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for row in sorted(
        results.builds, key=lambda r: (r.size, list(results.contenders).index(r.contender))
    ):
        name = _name(results, row.contender)
        if row.reason or not row.register_ns:
            lines.append(f"| {name} | {row.size:,} | {row.edges:,} | n/a | n/a |")
            notes.append(f"- {name}, {row.size} nodes: n/a: {row.reason}")
            continue
        lines.append(
            f"| {name} | {row.size:,} | {row.edges:,} | "
            f"{statistics.median(row.register_ns) / 1e6:,.2f} | "
            f"{statistics.median(row.first_request_ns) / 1e6:,.2f} |"
        )
    return lines + (["", *notes] if notes else [])


def _io_table(results: Results) -> list[str]:
    lines = ["| contender | variant | median ms/request |", "| --- | --- | ---: |"]
    notes = []
    for t in results.io:
        name = _name(results, t.contender)
        if t.ok:
            lines.append(f"| {name} | {t.variant} | {t.median / 1e6:.1f} |")
            if t.note:
                notes.append(f"- {name} ({t.variant}): {t.note}")
        else:
            lines.append(f"| {name} | {t.variant or '—'} | n/a |")
            notes.append(f"- {name} ({t.variant or 'all'}): n/a: {t.reason}")
    return lines + (["", *notes] if notes else [])


def _alloc_table(results: Results) -> list[str]:
    lines = [
        "| contender | peak traced bytes during one request | retained bytes per request |",
        "| --- | ---: | ---: |",
    ]
    for row in results.allocs:
        name = _name(results, row.contender)
        if row.reason:
            lines.append(f"| {name} | n/a ({row.reason}) | |")
        else:
            lines.append(f"| {name} | {row.peak_bytes:,.0f} | {row.retained_bytes:,.1f} |")
    return lines


def render_markdown(results: Results, chart: str | None) -> str:
    """The whole report; ``chart`` is the chart's path relative to the markdown file."""
    config = results.config
    out = [
        "# Benchmarks",
        "",
        f"<!-- Generated by `{COMMAND}`; edit benchmarks/report.py, not this file. -->",
        "",
        f"Run on {results.started} with {results.python} ({results.machine}), "
        f"{results.elapsed_s:.0f} s in all{' (quick smoke run)' if config.quick else ''}.  ",
        f"Versions: {_versions(results)}.",
        "",
        "What one request is: open the library's request scope (or context), resolve the "
        "handler's dependencies, call the handler, run background tasks, run teardowns, "
        "close the scope. Every contender implements the same shapes with the same classes, "
        "and before anything is timed the harness checks the handler's return value and that "
        "every constructor ran exactly once per request (app-scoped ones: not at all once warm).",
        "",
        f"How it is measured: every contender is timed in batches of back-to-back requests "
        f"sized to take about {config.target_ns / 1e6:g} ms; in each of {config.rounds} rounds "
        "every contender runs one batch, in turn (A B C … A B C …), so drift of the machine "
        "hits all alike. A figure is the **median over rounds** of the mean cost per request "
        "in a batch; *spread* is half the inter-quartile range across rounds. Async shapes run "
        "inside one `anyio.run` (asyncio backend); the garbage collector stays on. "
        "**These are medians on a shared machine**: read the ratios, not the nanoseconds. "
        "*vs best peer* divides by the fastest of the other libraries (not hand-written, "
        "not injectkit) on that shape. For figures that repeat exactly from run to run, "
        "`uv run --group bench python -m benchmarks.instructions` counts the instructions "
        "one request executes (valgrind's callgrind) for the same shapes.",
        "",
    ]
    summary = _summary(results)
    if summary:
        out += [
            "## Summary: cost relative to hand-written wiring (lower is better)",
            "",
            *summary,
            "",
        ]
        if chart:
            out += [f"![cost per request relative to hand-written wiring]({chart})", ""]
    out += [
        "## Through a real framework",
        "",
        "The shapes above measure the resolver alone. Through a web framework, a request "
        "also pays for the framework and the adapter: the table below counts the "
        "instructions of one in-process request through each adapter, next to the same "
        "endpoint wired by hand in that framework and FastAPI's own `Depends` "
        "(how: [Benchmarks: through each framework](benchmarks-adapters.md); "
        "`uv run --group bench python -m benchmarks.adapters`).",
        "",
        '--8<-- "docs/benchmarks-adapters.md:table"',
        "",
    ]
    for info in SHAPES:
        if not any(t.shape == info.key for t in results.timings):
            continue
        out += [
            f"## `{info.key}` — {info.title}",
            "",
            info.description,
            "",
            *_shape_table(results, info.key),
            "",
        ]
    if results.io:
        out += [
            "## `parallel_io` — three independent slow dependencies",
            "",
            f"Three async dependencies that each `await anyio.sleep({IO_DELAY})`, and a handler "
            f"taking all three: about {3 * IO_DELAY * 1e3:.0f} ms when resolved one after another, "
            f"about {IO_DELAY * 1e3:.0f} ms when resolved concurrently. "
            f"Median of {config.io_rounds} interleaved requests.",
            "",
            *_io_table(results),
            "",
        ]
    if results.builds:
        out += [
            "## `build` — register and validate a dense graph",
            "",
            "Layers of 10 request-scoped classes, each needing every class of the layer below; "
            "the handler needs the top layer. *register + validate* is everything from an empty "
            "container to one ready to serve (registration, graph checks, whatever the library "
            "compiles up front); *first request* is the first call after it, which builds every "
            f"node once. Fresh classes every time; median of {config.build_reps} runs.",
            "",
            *_build_table(results),
            "",
        ]
    if results.allocs:
        out += [
            "## Allocations per request (`diamond10`, tracemalloc)",
            "",
            f"Over {config.alloc_requests} requests after a warm-up: the median peak of "
            "traced memory above the level at the start of a request, and how much traced "
            "memory the requests left behind on average (after a `gc.collect()`; near zero "
            "means nothing leaks per request).",
            "",
            *_alloc_table(results),
            "",
        ]
    out += ["## How each contender is wired", ""]
    for contender in results.contenders.values():
        wiring = getattr(contender.module, "WIRING", "") if contender.module else ""
        state = f"not run: {contender.unavailable}" if contender.unavailable else wiring
        out.append(f"- **{contender.name}**: {state}")
    out += [
        "",
        "The code is in `benchmarks/contenders/`, one module per library.",
        "",
        "## Reproduce",
        "",
        "```",
        f"{COMMAND}            # the full run; writes docs/benchmarks.md and .png",
        f"{COMMAND} --quick    # a smoke run; prints the report",
        f"{COMMAND} --help",
        "```",
        "",
    ]
    return "\n".join(out)


def chart_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_chart(results: Results, path: Path) -> bool:
    """A grouped bar chart of vs hand-written per shape; ``False`` if nothing to draw."""
    shapes = [
        info.key for info in SHAPES if any(t.shape == info.key and t.ok for t in results.timings)
    ]
    ratios = {shape: _ratios(results, shape) for shape in shapes}
    series = {
        _name(results, key): [ratios[s].get(key, (None, None))[0] for s in shapes]
        for key in results.contenders
        if key != "handwritten" and any(ratios[s].get(key, (None,))[0] for s in shapes)
    }
    if not shapes or not series:
        return False
    draw_chart(shapes, series, f"{results.python}, {results.started}", path)
    return True


def draw_chart(
    shapes: list[str], series: dict[str, list[float | None]], run: str, path: Path
) -> None:
    """Bars of each contender's cost ÷ hand-written, grouped by shape (``None``: n/a).

    Sized for the docs' content column (about 700 px wide): the text is large enough to
    read there, and the legend sits below the axes, where it covers no bar.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 7.5), dpi=120)
    width = 0.84 / len(series)
    colors = plt.get_cmap("tab10").colors
    for i, (name, values) in enumerate(series.items()):
        xs, ys = [], []
        for j, rel in enumerate(values):
            x = j - 0.42 + width * (i + 0.5)
            if rel is not None:
                xs.append(x)
                ys.append(rel)
            else:
                ax.annotate("n/a", (x, 1.0), ha="center", va="bottom", fontsize=10, rotation=90)
        ours = name == "injectkit"
        bars = ax.bar(
            xs,
            ys,
            width=width,
            label=name,
            color=colors[i % len(colors)],
            edgecolor="black" if ours else "none",
            linewidth=1.2,
        )
        if ours:
            for bar, y in zip(bars, ys, strict=True):
                ax.annotate(
                    f"{y:.1f}x",
                    (bar.get_x() + bar.get_width() / 2, y),
                    ha="center",
                    va="bottom",
                    fontsize=11,
                    fontweight="bold",
                )
    ax.axhline(1.0, color="black", linewidth=0.9, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(shapes)), shapes, fontsize=12)
    ax.tick_params(axis="y", labelsize=12)
    ax.set_ylabel("cost per request ÷ hand-written (log scale)", fontsize=13)
    ax.set_title(
        "Per-request cost relative to hand-written wiring\n(dashed line = 1x, lower is better)",
        fontsize=14,
    )
    ax.grid(axis="y", which="both", alpha=0.25)
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="lower center",
        ncol=3,
        fontsize=12,
        frameon=False,
    )
    fig.text(
        0.99, 0.005, f"{run}; medians on a shared machine", ha="right", fontsize=9, color="gray"
    )
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def relative_chart_path(markdown: Path, chart: Path) -> str:
    return Path(os.path.relpath(chart, markdown.parent)).as_posix()
