"""The adapter benchmark (``python -m benchmarks.adapters``) serves the same endpoint in
every case, and each case does what one request must: checked here, never timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import adapter_graph as graph
from benchmarks.adapter_cases import CASES, AdapterCase
from benchmarks.adapters import check_case

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("case", CASES, ids=[case.key for case in CASES])
def test_each_case_sends_the_same_body_and_does_one_requests_work(case: AdapterCase) -> None:
    """Five requests: the expected JSON each time, five sessions opened and closed, ten
    tasks run, one Settings."""
    check_case(case, requests=5)
    assert graph.TALLY == graph.Tally(1, 5, 5, 10)


def test_a_case_that_skips_a_teardown_is_caught() -> None:
    """The check fails when a request leaves its session open (what the tally is for)."""
    graph.reset()
    graph.Session()
    graph.TALLY.settings_made = 1
    with pytest.raises(AssertionError, match="after 1 requests"):
        graph.check_tally(1)


def test_the_counted_child_runs_a_case_in_a_process_of_its_own() -> None:
    """``--child CASE N``, what callgrind runs, serves N + 1 requests and exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.adapters", "--child", "starlette-injectkit", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
