"""Verification, interleaved timing and allocation measurement.

For each timed shape every contender is built once and checked (return value, constructor
counts, teardown and tasks) before anything is timed. Then each contender's batch size is
calibrated so that one batch takes about ``target_ns``, and ``rounds`` rounds are run; in
each round every contender runs one batch, in a fixed order (A B C A B C ...), so that a
slow moment of the machine hits all contenders alike. The figure reported is the median
over rounds of the per-request mean of a batch.

Sync shapes run in plain Python; all async shapes run inside one ``anyio.run`` (asyncio
backend), awaiting the requests one after another.
"""

from __future__ import annotations

import array
import dataclasses
import datetime
import gc
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio

from benchmarks.contenders import CONTENDERS, Case, Contender, Unsupported, load
from benchmarks.shapes import SHAPES, Graph, SemanticError, YieldShape, dense, new_shape

__all__ = ["EXTRA_SHAPES", "QUICK", "AllocRow", "BuildRow", "Config", "Results", "Timing", "run"]

#: Shapes that are not per-request tables: graph build time, concurrent IO, allocations.
EXTRA_SHAPES: tuple[str, ...] = ("build", "parallel_io", "alloc")
TIMED_SHAPES: tuple[str, ...] = tuple(info.key for info in SHAPES)
MAX_BATCH = 1_000_000


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclasses.dataclass
class Config:
    contenders: tuple[str, ...] = tuple(CONTENDERS)
    shapes: tuple[str, ...] = TIMED_SHAPES + EXTRA_SHAPES
    rounds: int = 21
    #: Wall time one batch should take; the batch size is calibrated per contender.
    target_ns: int = 20_000_000
    build_sizes: tuple[int, ...] = (100, 300, 1000)
    build_reps: int = 3
    #: A build size predicted to take longer than this is skipped (and says why).
    build_budget_s: float = 20.0
    io_rounds: int = 7
    alloc_requests: int = 500
    #: Raise on a failed build or semantic check instead of recording "n/a".
    strict: bool = False
    quick: bool = False
    log: Callable[[str], None] = _stderr


QUICK = dict(
    rounds=3,
    target_ns=1_000_000,
    build_sizes=(100,),
    build_reps=1,
    build_budget_s=5.0,
    io_rounds=1,
    alloc_requests=20,
    quick=True,
)


@dataclasses.dataclass
class Timing:
    shape: str
    contender: str
    variant: str = ""
    per_call_ns: list[float] = dataclasses.field(default_factory=list)
    batch: int = 0
    reason: str | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None and bool(self.per_call_ns)

    @property
    def median(self) -> float:
        return statistics.median(self.per_call_ns)

    @property
    def spread(self) -> float:
        """Half the inter-quartile range, relative to the median."""
        if len(self.per_call_ns) < 4:
            return (max(self.per_call_ns) - min(self.per_call_ns)) / 2 / self.median
        q1, _, q3 = statistics.quantiles(self.per_call_ns, n=4)
        return (q3 - q1) / 2 / self.median


@dataclasses.dataclass
class BuildRow:
    contender: str
    size: int
    edges: int = 0
    register_ns: list[int] = dataclasses.field(default_factory=list)
    first_request_ns: list[int] = dataclasses.field(default_factory=list)
    reason: str | None = None


@dataclasses.dataclass
class AllocRow:
    contender: str
    peak_bytes: float = 0.0
    retained_bytes: float = 0.0
    reason: str | None = None


@dataclasses.dataclass
class Results:
    config: Config
    contenders: dict[str, Contender]
    started: str = dataclasses.field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    )
    python: str = dataclasses.field(
        default_factory=lambda: f"{platform.python_implementation()} {platform.python_version()}"
    )
    machine: str = dataclasses.field(
        default_factory=lambda: f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    timings: list[Timing] = dataclasses.field(default_factory=list)
    io: list[Timing] = dataclasses.field(default_factory=list)
    builds: list[BuildRow] = dataclasses.field(default_factory=list)
    allocs: list[AllocRow] = dataclasses.field(default_factory=list)
    elapsed_s: float = 0.0

    def timing(self, shape: str, contender: str) -> Timing | None:
        for timing in self.timings:
            if timing.shape == shape and timing.contender == contender:
                return timing
        return None

    def to_json(self) -> dict[str, Any]:
        def cell(t: Timing) -> dict[str, Any]:
            data = dataclasses.asdict(t)
            data["median_ns"] = t.median if t.ok else None
            return data

        return {
            "started": self.started,
            "python": self.python,
            "machine": self.machine,
            "elapsed_s": self.elapsed_s,
            "quick": self.config.quick,
            "rounds": self.config.rounds,
            "contenders": {
                key: {"name": c.name, "version": c.version, "unavailable": c.unavailable}
                for key, c in self.contenders.items()
            },
            "timings": [cell(t) for t in self.timings],
            "parallel_io": [cell(t) for t in self.io],
            "build": [dataclasses.asdict(b) for b in self.builds],
            "alloc": [dataclasses.asdict(a) for a in self.allocs],
        }


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text if len(text) <= 300 else text[:297] + "..."


# ---------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------


def _check_result(shape: Graph | YieldShape, result: Any) -> None:
    if result != shape.expected:
        raise SemanticError(
            f"{shape.name}: the handler returned {result!r}, expected {shape.expected!r}"
        )


def _check_counts(shape: Graph | YieldShape, case: Case, requests: int) -> None:
    if isinstance(shape, YieldShape):
        shape.check(requests, tasks_before_teardown=case.tasks_before_teardown)
    else:
        shape.check(requests)


async def _verify_async(shape: Graph | YieldShape, case: Case) -> None:
    _check_result(shape, await case.call())  # the first request also warms app scope up
    shape.reset()
    for _ in range(2):
        _check_result(shape, await case.call())
    _check_counts(shape, case, 2)


def _verify_sync(shape: Graph | YieldShape, case: Case) -> None:
    _check_result(shape, case.call())
    shape.reset()
    for _ in range(2):
        _check_result(shape, case.call())
    _check_counts(shape, case, 2)


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------


async def _abatch(call: Callable[[], Awaitable[Any]], n: int) -> int:
    start = time.perf_counter_ns()
    for _ in range(n):
        await call()
    return time.perf_counter_ns() - start


def _sbatch(call: Callable[[], Any], n: int) -> int:
    start = time.perf_counter_ns()
    for _ in range(n):
        call()
    return time.perf_counter_ns() - start


def _next_batch(n: int, elapsed: int, target: int) -> int:
    grow = int(n * target / max(elapsed, 1) * 1.1)
    return min(MAX_BATCH, max(n * 2, min(grow, n * 50)))


def _final_batch(n: int, elapsed: int, target: int) -> int:
    """Scale ``n`` so a batch takes ``target``; ``elapsed`` is the best of a few tries at
    ``n``, so one slow moment during calibration does not shrink the batch."""
    return max(1, min(MAX_BATCH, round(n * target / max(elapsed, 1))))


def _calibrate_sync(call: Callable[[], Any], target: int) -> int:
    n = 1
    while (elapsed := _sbatch(call, n)) < target // 4 and n < MAX_BATCH:
        n = _next_batch(n, elapsed, target // 4)
    return _final_batch(n, min(elapsed, _sbatch(call, n), _sbatch(call, n)), target)


async def _calibrate_async(call: Callable[[], Awaitable[Any]], target: int) -> int:
    n = 1
    while (elapsed := await _abatch(call, n)) < target // 4 and n < MAX_BATCH:
        n = _next_batch(n, elapsed, target // 4)
    return _final_batch(n, min(elapsed, await _abatch(call, n), await _abatch(call, n)), target)


class _Runner:
    def __init__(self, config: Config, results: Results) -> None:
        self.config = config
        self.results = results
        self.log = config.log

    @property
    def _loaded(self) -> list[Contender]:
        return [self.results.contenders[key] for key in self.config.contenders]

    def _prepare(self, shape_key: str) -> list[tuple[Contender, Graph | YieldShape, Case, Timing]]:
        """Build every contender's case for one shape; unbuildable ones become n/a rows."""
        prepared = []
        for contender in self._loaded:
            timing = Timing(shape_key, contender.key)
            self.results.timings.append(timing)
            if contender.unavailable:
                timing.reason = contender.unavailable
                continue
            builder = contender.builder(shape_key)
            if builder is None:
                timing.reason = f"{contender.name} has no way to express this shape"
                continue
            shape = new_shape(shape_key)
            try:
                case: Case = builder(shape)
            except Unsupported as exc:
                timing.reason = str(exc)
                continue
            except Exception as exc:
                if self.config.strict:
                    raise
                timing.reason = f"setup failed: {_describe(exc)}"
                continue
            timing.note = case.note
            prepared.append((contender, shape, case, timing))
        return prepared

    def _fail(self, timing: Timing, what: str, exc: BaseException) -> None:
        if self.config.strict:
            raise exc
        timing.reason = f"{what}: {_describe(exc)}"
        timing.per_call_ns.clear()
        self.log(f"  {timing.contender}: n/a ({timing.reason})")

    def _report(self, shape_key: str, timings: Sequence[Timing]) -> None:
        for timing in timings:
            name = self.results.contenders[timing.contender].name
            label = f"{name} [{timing.variant}]" if timing.variant else name
            if timing.ok:
                median = f"{timing.median:>14,.0f} ns"
                self.log(f"  {shape_key:<15} {label:<28} {median}  (batch {timing.batch})")
            else:
                self.log(f"  {shape_key:<15} {label:<28} n/a: {timing.reason}")

    # -- sync shapes ------------------------------------------------------------------

    def run_sync_shape(self, shape_key: str) -> None:
        self.log(f"{shape_key}: verifying and timing")
        live = []
        for _, shape, case, timing in self._prepare(shape_key):
            try:
                _verify_sync(shape, case)
            except Exception as exc:
                self._fail(timing, "semantic check failed", exc)
                continue
            live.append((case, timing))
        gc.collect()
        for case, timing in live:
            try:
                timing.batch = _calibrate_sync(case.call, self.config.target_ns)
            except Exception as exc:
                self._fail(timing, "failed while timing", exc)
        for _ in range(self.config.rounds):
            for case, timing in live:
                if timing.reason:
                    continue
                try:
                    timing.per_call_ns.append(_sbatch(case.call, timing.batch) / timing.batch)
                except Exception as exc:
                    self._fail(timing, "failed while timing", exc)
        self._report(shape_key, [t for _, t in live])

    # -- async shapes -----------------------------------------------------------------

    async def run_async_shape(self, shape_key: str) -> None:
        self.log(f"{shape_key}: verifying and timing")
        live = []
        for _, shape, case, timing in self._prepare(shape_key):
            try:
                await _verify_async(shape, case)
            except Exception as exc:
                self._fail(timing, "semantic check failed", exc)
                continue
            live.append((case, timing))
        gc.collect()
        for case, timing in live:
            try:
                timing.batch = await _calibrate_async(case.call, self.config.target_ns)
            except Exception as exc:
                self._fail(timing, "failed while timing", exc)
        for _ in range(self.config.rounds):
            for case, timing in live:
                if timing.reason:
                    continue
                try:
                    timing.per_call_ns.append(await _abatch(case.call, timing.batch) / timing.batch)
                except Exception as exc:
                    self._fail(timing, "failed while timing", exc)
        self._report(shape_key, [t for _, t in live])

    async def run_parallel_io(self) -> None:
        self.log("parallel_io: verifying and timing")
        live: list[tuple[Case, Timing]] = []
        for contender in self._loaded:
            builder = contender.builder("parallel_io")
            if contender.unavailable or builder is None:
                continue
            try:
                variants: dict[str, Case | str] = builder()
            except Unsupported as exc:
                self.results.io.append(Timing("parallel_io", contender.key, reason=str(exc)))
                continue
            except Exception as exc:
                if self.config.strict:
                    raise
                reason = f"setup failed: {_describe(exc)}"
                self.results.io.append(Timing("parallel_io", contender.key, reason=reason))
                continue
            for variant, case in variants.items():
                timing = Timing("parallel_io", contender.key, variant=variant, batch=1)
                self.results.io.append(timing)
                if isinstance(case, str):  # the variant does not exist; the string says why
                    timing.reason = case
                    continue
                timing.note = case.note
                try:
                    if (result := await case.call()) != 3:
                        raise SemanticError(
                            f"parallel_io: the handler returned {result!r}, expected 3"
                        )
                except Exception as exc:
                    self._fail(timing, "semantic check failed", exc)
                    continue
                live.append((case, timing))
        for _ in range(self.config.io_rounds):
            for case, timing in live:
                if timing.reason:
                    continue
                try:
                    timing.per_call_ns.append(float(await _abatch(case.call, 1)))
                except Exception as exc:
                    self._fail(timing, "failed while timing", exc)
        self._report("parallel_io", [t for _, t in live])

    async def run_build(self) -> None:
        """Sizes in ascending order; a contender whose next size is predicted (from the
        growth between its previous sizes) to blow the time budget skips it, with the
        prediction as the reason, and a size that took over a second is not repeated."""
        self.log("build: registering and validating dense graphs")
        builders = [
            (contender, builder)
            for contender in self._loaded
            if not contender.unavailable and (builder := contender.builder("build")) is not None
        ]
        for size in sorted(self.config.build_sizes):
            for rep in range(self.config.build_reps):
                for contender, builder in builders:
                    row = self._build_row(contender.key, size)
                    if row.reason or (rep and not row.register_ns):
                        continue
                    if rep and (row.register_ns[-1] + row.first_request_ns[-1]) > 1e9:
                        continue  # one slow run is enough
                    if not rep and (reason := self._predicted_too_slow(contender.key, size)):
                        row.reason = reason
                        continue
                    await self._build_once(contender, builder, row)
        for row in self.results.builds:
            name = self.results.contenders[row.contender].name
            if row.reason:
                self.log(f"  build {name:<22} {row.size:>5} nodes: n/a ({row.reason})")
            else:
                self.log(
                    f"  build {name:<22} {row.size:>5} nodes: register+validate "
                    f"{statistics.median(row.register_ns) / 1e6:10.2f} ms, first request "
                    f"{statistics.median(row.first_request_ns) / 1e6:8.2f} ms"
                )

    def _build_row(self, contender: str, size: int) -> BuildRow:
        for row in self.results.builds:
            if row.contender == contender and row.size == size:
                return row
        row = BuildRow(contender, size)
        self.results.builds.append(row)
        return row

    def _predicted_too_slow(self, contender: str, size: int) -> str | None:
        done = sorted(
            (row.size, statistics.median(row.register_ns) + statistics.median(row.first_request_ns))
            for row in self.results.builds
            if row.contender == contender and row.register_ns and row.size < size
        )
        if not done:
            return None
        if len(done) == 1:
            (n1, t1), exponent = done[0], 2.0  # assume quadratic until we know better
        else:
            (n0, t0), (n1, t1) = done[-2], done[-1]
            exponent = max(1.0, math.log(t1 / t0) / math.log(n1 / n0))
        predicted = t1 * (size / n1) ** exponent / 1e9
        if predicted <= self.config.build_budget_s:
            return None
        return (
            f"not run: {n1} nodes took {t1 / 1e9:.1f} s and the cost grows like "
            f"n^{exponent:.1f}, so {size} nodes would take about {predicted:,.0f} s "
            f"(budget {self.config.build_budget_s:g} s)"
        )

    async def _build_once(
        self,
        contender: Contender,
        builder: Callable[[Graph], Callable[[], Awaitable[Any]]],
        row: BuildRow,
    ) -> None:
        graph = dense(row.size)  # fresh classes: nothing cached from a previous run
        row.edges = sum(len(d) for d in graph.deps.values())
        gc.collect()
        try:
            start = time.perf_counter_ns()
            handler = builder(graph)
            registered = time.perf_counter_ns()
            result = await handler()
            done = time.perf_counter_ns()
            _check_result(graph, result)
            graph.check(1)
        except Unsupported as exc:
            row.reason = str(exc)
            return
        except Exception as exc:
            if self.config.strict:
                raise
            row.reason = _describe(exc)
            return
        row.register_ns.append(registered - start)
        row.first_request_ns.append(done - registered)

    async def run_alloc(self) -> None:
        self.log("alloc: tracemalloc over diamond10 requests")
        for contender in self._loaded:
            row = AllocRow(contender.key)
            builder = contender.builder("diamond10")
            if contender.unavailable or builder is None:
                continue
            self.results.allocs.append(row)
            shape = new_shape("diamond10")
            try:
                case: Case = builder(shape)
                await _verify_async(shape, case)
                row.peak_bytes, row.retained_bytes = await _measure_alloc(
                    case.call, self.config.alloc_requests
                )
            except Exception as exc:
                if self.config.strict:
                    raise
                row.reason = _describe(exc)
                continue
            self.log(
                f"  alloc {contender.name:<22} peak {row.peak_bytes:>10,.0f} B/request, "
                f"retained {row.retained_bytes:>8,.1f} B/request"
            )


async def _measure_alloc(call: Callable[[], Awaitable[Any]], requests: int) -> tuple[float, float]:
    """(median peak of traced memory during one request, retained bytes per request)."""
    for _ in range(20):
        await call()
    gc.collect()
    peaks = array.array("q", bytes(8 * requests))  # up front: the loop must not allocate
    tracemalloc.start()
    try:
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        for i in range(requests):
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            await call()
            peaks[i] = tracemalloc.get_traced_memory()[1] - before
        gc.collect()
        end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return statistics.median(peaks), (end - start) / requests


def run(config: Config) -> Results:
    """Run the selected shapes for the selected contenders."""
    started = time.perf_counter()
    contenders = {key: load(key) for key in config.contenders}
    results = Results(config=config, contenders=contenders)
    for contender in contenders.values():
        if contender.unavailable:
            config.log(f"{contender.key}: unavailable ({contender.unavailable})")
    runner = _Runner(config, results)

    for info in SHAPES:
        if not info.is_async and info.key in config.shapes:
            runner.run_sync_shape(info.key)

    async def async_part() -> None:
        for info in SHAPES:
            if info.is_async and info.key in config.shapes:
                await runner.run_async_shape(info.key)
        if "parallel_io" in config.shapes:
            await runner.run_parallel_io()
        if "build" in config.shapes:
            await runner.run_build()
        if "alloc" in config.shapes:
            await runner.run_alloc()

    anyio.run(async_part, backend="asyncio")
    # Report the shapes in the order they are described, not the order they ran.
    order = {key: i for i, key in enumerate(TIMED_SHAPES)}
    results.timings.sort(key=lambda t: order[t.shape])
    results.elapsed_s = time.perf_counter() - started
    return results
