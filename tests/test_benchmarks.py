"""The benchmark suite runs, its semantic checks hold, and it produces a report.

These run ``python -m benchmarks --quick`` in a subprocess from the repository root (as a
user would); no timing is ever asserted. The peer libraries live in the optional ``bench``
dependency group, so only hand-written wiring and injectkit are required here; installed
peers get a smoke test of their own.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMED_SHAPES = ["single", "diamond10", "yield_tasks", "singletons", "chain50", "diamond10_sync"]

PEER_MODULES = {
    "fastapi": "fastapi",
    "fast-depends": "fast_depends",
    "dishka": "dishka",
    "wireup": "wireup",
    "dependency-injector": "dependency_injector",
    "that-depends": "that_depends",
}


def run_benchmarks(tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    output = tmp_path / "benchmarks.md"
    raw = tmp_path / "benchmarks.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--strict",
            "--no-chart",
            "--output",
            str(output),
            "--json",
            str(raw),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(raw.read_text()), output.read_text()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    return run_benchmarks(
        tmp_path_factory.mktemp("bench"), "--contenders", "handwritten,injectkit,injectkit-depends"
    )


def test_every_shape_passes_its_semantic_checks(quick_run: tuple[dict[str, Any], str]) -> None:
    """Under --strict a failed check aborts the run, so every cell here was verified."""
    data, _ = quick_run
    cells = {(t["shape"], t["contender"]): t for t in data["timings"]}
    for shape in TIMED_SHAPES:
        for contender in ("handwritten", "injectkit"):
            cell = cells[shape, contender]
            assert cell["reason"] is None, (shape, contender, cell["reason"])
            assert cell["median_ns"] > 0
            assert len(cell["per_call_ns"]) == data["rounds"]


def test_the_report_has_a_table_per_shape(quick_run: tuple[dict[str, Any], str]) -> None:
    """The markdown names every shape and has a row for each contender in its table."""
    _, markdown = quick_run
    for shape in [*TIMED_SHAPES, "parallel_io", "build"]:
        assert f"## `{shape}`" in markdown
    assert "| contender | median ns/request | spread | vs hand-written | vs best peer |" in markdown
    assert markdown.count("| injectkit |") >= len(TIMED_SHAPES)
    assert "| hand-written | " in markdown
    assert "medians on a shared machine" in markdown


def test_build_and_parallel_io_and_alloc_ran(quick_run: tuple[dict[str, Any], str]) -> None:
    """The extra shapes produced numbers for injectkit (or said why not)."""
    data, _ = quick_run
    builds = [b for b in data["build"] if b["contender"] == "injectkit"]
    assert builds and all(b["reason"] is None and b["register_ns"] for b in builds)
    io = {(t["contender"], t["variant"]): t for t in data["parallel_io"]}
    assert io["handwritten", "sequential"]["reason"] is None
    assert io["injectkit", "default"]["reason"] is None
    assert io["injectkit", "concurrent=True"]["reason"] is None or io[
        "injectkit", "concurrent=True"
    ]["reason"].startswith("`Container(concurrent=True)`")
    allocs = {a["contender"]: a for a in data["alloc"]}
    assert allocs["injectkit"]["reason"] is None and allocs["injectkit"]["peak_bytes"] > 0


def test_a_missing_peer_is_reported_not_fatal(tmp_path: Path) -> None:
    """A contender whose library is absent shows as n/a with the reason; the run succeeds."""
    missing = [
        key for key, module in PEER_MODULES.items() if importlib.util.find_spec(module) is None
    ]
    if not missing:
        pytest.skip("every peer library is installed")
    data, markdown = run_benchmarks(
        tmp_path, "--contenders", f"handwritten,{missing[0]}", "--shapes", "single"
    )
    assert data["contenders"][missing[0]]["unavailable"].startswith("not installed")
    assert "n/a" in markdown


@pytest.mark.parametrize("peer", sorted(PEER_MODULES))
def test_installed_peers_pass_the_semantic_checks(tmp_path: Path, peer: str) -> None:
    """Each peer, where installed (the ``bench`` group), implements every shape it claims."""
    if importlib.util.find_spec(PEER_MODULES[peer]) is None:
        pytest.skip(f"{peer} is not installed (uv run --group bench)")
    data, _ = run_benchmarks(
        tmp_path, "--contenders", f"handwritten,{peer}", "--shapes", ",".join(TIMED_SHAPES)
    )
    assert data["contenders"][peer]["unavailable"] is None
    cells = [t for t in data["timings"] if t["contender"] == peer]
    assert any(t["median_ns"] for t in cells)


@pytest.mark.parametrize("shape", TIMED_SHAPES)
def test_the_instruction_counter_runs_each_shape(shape: str) -> None:
    """``benchmarks.instructions`` runs each shape's requests in a child (here without
    valgrind, which only counts them)."""
    for contender in ("handwritten", "injectkit"):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.instructions", "--child", shape, contender, "3"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_instruction_counter_reads_callgrind_totals(tmp_path: Path) -> None:
    """With valgrind installed, one shape's count is positive and per request."""
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    from benchmarks.instructions import per_request

    # One hand-written `single` request is about 4,000 instructions; the whole run is
    # millions, so a count not divided per request would fail this.
    assert (
        1_000 < per_request(shutil.which("valgrind") or "", "single", "handwritten", 200) < 50_000
    )
