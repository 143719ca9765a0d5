"""The stress scripts at a reduced size: real servers, real clients, real counts of zero.

Full-size figures are in docs/reliability.md; these runs check the same things in a few
seconds each (every script is bounded by its own time limit too).
"""

from __future__ import annotations

import pytest

from stress import cancellation, disconnect, load, thread_race
from stress._ledger import FULL, NO_TASKS, PROBLEMS, judge, tally

FRAMEWORKS = ["starlette", "fastapi"]


def assert_clean(report: object) -> None:
    assert report.problems == [], report.markdown()  # type: ignore[attr-defined]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_load_loses_no_task_misses_no_finalizer_and_leaks_nothing(framework: str) -> None:
    """200 requests at concurrency 20: every task and finalizer ran once, in order, per id."""
    report = load.run(
        requests=200,
        concurrency=20,
        warmup=100,
        frameworks=[framework],
        wirings=["injectkit"],
        time_limit=120,
    )
    assert_clean(report)
    [row] = report.rows
    assert row["requests"] == 200
    for column in ("lost tasks", "missed finalizers", "out of order or extra", "leaks"):
        assert row[column] == 0, column
    assert row["bad responses"] == 0
    assert row["RSS after warm-up (MiB)"] is not None


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_disconnects_run_each_entered_finalizer_once(framework: str) -> None:
    """FIN and RST in the handler, mid-body and mid-stream: finalizers once, tasks as due."""
    report = disconnect.run(
        requests=4, concurrency=8, frameworks=[framework], wirings=["injectkit"], time_limit=120
    )
    assert_clean(report)
    assert len(report.rows) == len(disconnect.MOMENTS) * len(disconnect.CUTS)
    for row in report.rows:
        assert row["connections"] == 4 and row["finalizers entered"] == 4, row
        assert row["missed finalizers"] == row["lost tasks"] == 0, row
        assert row["out of order or extra"] == row["leaks"] == 0, row


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_cancellation_at_any_await_point_runs_each_entered_finalizer_to_its_end(
    backend: str,
) -> None:
    """Cancelled at each await point in turn, every finalizer entered ends exactly once."""
    report = cancellation.run(repeat=1, backends=[backend], time_limit=120)
    assert_clean(report)
    assert len(report.rows) == 2  # concurrent=False and concurrent=True
    for row in report.rows:
        assert row["await points"] >= 20
        assert row["runs (one cancel each)"] == row["await points"]
        assert row["ended by the cancellation"] > 0
        assert row["not run exactly once to the end"] == 0


def test_threads_racing_a_fresh_container_build_its_singleton_once() -> None:
    """32 threads behind a barrier, 300 fresh containers: one build each, one instance seen."""
    report = thread_race.run(containers=300, threads=32, time_limit=120)
    assert_clean(report)
    for row in report.rows:
        assert row["containers"] == 300
        assert row["built more than once"] == row["threads saw different instances"] == 0
        assert row["errors"] == 0


def test_the_judge_counts_every_kind_of_failure() -> None:
    """A trace with a lost task, a cut finalizer, disorder or a leak is counted, not passed."""
    lost = [e for e in FULL if e != "task:handler"]
    cut = [e for e in FULL if e != "closed:unit"]
    swapped = list(FULL)
    swapped[4], swapped[6] = swapped[6], swapped[4]  # a task after a finalizer
    assert judge(FULL, FULL).total() == 0
    assert judge(lost, FULL)["lost"] == 1
    assert judge(cut, FULL)["missed"] == 1
    assert judge(swapped, FULL)["out_of_order"] == 1
    assert judge([*FULL[:4], "leak:handler", *FULL[4:]], FULL)["leaks"] == 1
    assert judge(["task:dep"], FULL)["late"] == 1
    assert judge(FULL, NO_TASKS)["unexpected"] == 2  # dropped tasks that ran anyway
    assert judge([*FULL[:-1], "closing:session", FULL[-1]], FULL)["twice"] == 1
    snapshot = {"done": [["load", list(FULL), 3]], "open": [["load.7", list(cut[:3])]]}
    counts = tally(snapshot, {"load": FULL})["load"]
    assert counts["requests"] == 4 and counts["unfinished"] == 1 and counts["lost"] == 2
    assert set(PROBLEMS) >= {"lost", "missed", "out_of_order", "leaks", "unfinished"}
