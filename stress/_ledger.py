"""Per-request traces, kept in the server, and how a trace is judged.

Every step of a request records ``(request id, event)``: a provider reaching its
``yield`` (``open:X``), a dependency or handler running, a task running (``task:X``), a
finalizer starting (``closing:X``) and ending (``closed:X``).  When the outermost
finalizer ends (``closed:session``), the request's trace is folded into a count of
identical traces, so memory stays flat however many requests run; traces still open at
the end are the requests that lost something.  An event that arrives after its request
was folded starts a trace of its own that does not begin with ``open:session``: it is
counted as an event after the last finalizer.

A value seen by the wrong request records ``leak:<where>``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

FIRST = "open:session"
LAST = "closed:session"

# What one request records when nothing goes wrong (the load script's endpoint).
FULL = (
    "open:session",
    "open:unit",
    "dep",
    "handler",
    "task:dep",
    "task:handler",
    "closed:unit",
    "closing:session",
    LAST,
)
# The same request when its handler raised: the tasks are dropped, finalizers still run.
NO_TASKS = tuple(event for event in FULL if not event.startswith("task:"))


class Ledger:
    """Thread-safe: providers run on the event loop, sync tasks in worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, list[str]] = {}
        self._done: Counter[tuple[str, tuple[str, ...]]] = Counter()

    def record(self, request_id: str, event: str) -> None:
        with self._lock:
            trace = self._open.setdefault(request_id, [])
            trace.append(event)
            if event == LAST:
                del self._open[request_id]
                self._done[kind_of(request_id), tuple(trace)] += 1

    def snapshot(self) -> dict[str, Any]:
        """JSON-able: folded traces with their counts, and the traces still open."""
        with self._lock:
            return {
                "done": [[kind, list(trace), n] for (kind, trace), n in self._done.items()],
                "open": [[rid, list(trace)] for rid, trace in self._open.items()],
            }


def kind_of(request_id: str) -> str:
    """A request id is ``<kind>.<number>``: the scenario is the part before the dot."""
    return request_id.partition(".")[0]


def judge(trace: Sequence[str], expected: Sequence[str]) -> Counter[str]:
    """What is wrong with one trace: lost tasks, missed finalizers, disorder, leaks.

    - ``lost``: expected ``task:*`` events that never happened;
    - ``missed``: a provider that opened (``open:X``) without its ``closed:X``, or a
      finalizer that started without ending;
    - ``twice``: an expected event that happened more often than expected;
    - ``unexpected``: an event that should not have happened (a dropped task that ran);
    - ``late``: events after the last finalizer (a trace not starting at ``open:session``);
    - ``out_of_order``: the right events in the wrong order;
    - ``leaks``: a value that belonged to another request.
    """
    found: Counter[str] = Counter()
    if not trace or trace[0] != FIRST:
        found["late"] += len(trace)
        return found
    have = Counter(trace)
    want = Counter(expected)
    found["leaks"] = sum(n for event, n in have.items() if event.startswith("leak:"))
    found["lost"] = sum(
        max(0, n - have[event]) for event, n in want.items() if event.startswith("task:")
    )
    for event, n in have.items():
        if event.startswith("open:"):
            name = event.removeprefix("open:")
            found["missed"] += max(0, n - have["closed:" + name])
        if event in want:
            found["twice"] += max(0, n - want[event])
        elif not event.startswith("leak:"):
            found["unexpected"] += n
    if not found.total() and list(trace) != list(expected):
        found["out_of_order"] += 1
    return found


PROBLEMS = ("lost", "missed", "out_of_order", "late", "twice", "unexpected", "leaks", "unfinished")
"""Every count :func:`tally` gives that must be zero."""


def disorder(counts: Counter[str]) -> int:
    """Events in the wrong order, after the last finalizer, twice, or not at all expected."""
    return counts["out_of_order"] + counts["late"] + counts["twice"] + counts["unexpected"]


def tally(snapshot: dict[str, Any], expected: dict[str, Sequence[str]]) -> dict[str, Counter[str]]:
    """Judge every trace of a :meth:`Ledger.snapshot`, per kind of request.

    Each kind's counter also has ``requests`` (traces seen) and ``unfinished`` (traces
    still open).
    """
    result: dict[str, Counter[str]] = {kind: Counter() for kind in expected}
    for kind, trace, count in snapshot["done"]:
        counts = result.setdefault(kind, Counter())
        counts["requests"] += count
        for problem, n in judge(trace, expected.get(kind, FULL)).items():
            counts[problem] += n * count
    for request_id, trace in snapshot["open"]:
        counts = result.setdefault(kind_of(request_id), Counter())
        counts["requests"] += 1
        counts["unfinished"] += 1
        counts.update(judge(trace, expected.get(kind_of(request_id), FULL)))
    return result
