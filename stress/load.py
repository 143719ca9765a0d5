"""Load: N requests at concurrency C through uvicorn, injectkit next to hand wiring.

::

    uv run python -m stress.load --requests 10000 --concurrency 100

For each framework (Starlette, FastAPI) and each wiring (injectkit's adapter, and the
same endpoint wired by hand with Starlette's ``BackgroundTasks`` and try/finally), a
fresh server process gets ``--requests`` requests ``GET /work?id=load.<n>`` from
``--concurrency`` clients (httpx, keep-alive).  Every request's id travels through its
providers, its sub-dependency's task, the handler's task and its finalizers (see
:mod:`stress._apps`); the server keeps a trace per request (:mod:`stress._ledger`).

Reported per server: lost tasks, missed finalizers, out-of-order finalizers (and events
after the last finalizer), cross-request leaks, bad responses, requests per second, and
the server's resident memory: measured (after ``gc.collect()``) once the first
``--warmup`` requests are done, then after every further 1,000; the growth per 1,000
requests is the slope between the first and the last measure.  Any non-zero count is a
problem (exit status 1).  ``--time-limit`` bounds the whole run.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx

from . import _options as options
from ._apps import FRAMEWORKS, WIRINGS
from ._client import Connection
from ._ledger import FULL, PROBLEMS, disorder, tally
from ._report import Deadline, Report, finish
from ._server import serve

BLOCK = 1000  # requests between two memory measures
SETTLE_SECONDS = 15.0  # how long the last requests' tasks and finalizers may take


async def settle(http: httpx.AsyncClient, deadline: Deadline) -> dict[str, Any]:
    """``/stats`` once no trace is open any more (tasks and finalizers are done)."""
    end = time.monotonic() + min(SETTLE_SECONDS, max(deadline.left(), 1.0))
    while True:
        stats: dict[str, Any] = (await http.get("/stats")).json()
        if not stats["ledger"]["open"] or time.monotonic() > end:
            return stats
        await asyncio.sleep(0.05)


async def hammer(
    port: int, first: int, count: int, concurrency: int, deadline: Deadline
) -> tuple[int, int]:
    """Send requests ``first .. first+count-1`` on ``concurrency`` connections; (sent, bad)."""
    numbers = iter(range(first, first + count))
    sent = bad = 0

    async def client() -> None:
        nonlocal sent, bad
        async with Connection(port) as connection:
            for n in numbers:
                if deadline.expired:
                    return
                request_id = f"load.{n}"
                sent += 1
                try:
                    status, body = await connection.get(f"/work?id={request_id}")
                except (OSError, asyncio.IncompleteReadError):
                    bad += 1  # the connection is gone: the other clients go on
                    return
                if status != 200 or json.loads(body).get("id") != request_id:
                    bad += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return sent, bad


async def load_one(
    url: str, requests: int, concurrency: int, warmup: int, deadline: Deadline
) -> dict[str, Any]:
    port = int(url.rsplit(":", 1)[1])
    async with httpx.AsyncClient(base_url=url, timeout=60.0) as http:
        memory: list[int] = []
        threads: list[int] = []
        sent = bad = 0
        started = time.perf_counter()
        elapsed = 0.0
        warm = min(warmup, requests)
        for first, count in [(0, warm)] + [
            (n, min(BLOCK, requests - n)) for n in range(warm, requests, BLOCK)
        ]:
            if count <= 0:
                continue
            begin = time.perf_counter()
            block_sent, block_bad = await hammer(port, first, count, concurrency, deadline)
            elapsed += time.perf_counter() - begin
            sent += block_sent
            bad += block_bad
            if deadline.expired:
                break
            stats = (await http.get("/stats")).json()
            if stats["rss_kib"] is not None:
                memory.append(stats["rss_kib"])
                threads.append(stats["threads"])
        stats = await settle(http, deadline)
        wall = time.perf_counter() - started
    counts = tally(stats["ledger"], {"load": FULL}).get("load", Counter())
    growth = (memory[-1] - memory[0]) / (len(memory) - 1) if len(memory) > 1 else 0.0
    return {
        "sent": sent,
        "bad": bad,
        "counts": counts,
        "rps": sent / elapsed if elapsed else 0.0,
        "wall": wall,
        "rss_series": memory,
        "threads": threads,
        "rss_growth": growth,
    }


def run(
    *,
    requests: int = 10_000,
    concurrency: int = 100,
    warmup: int = 1000,
    frameworks: Sequence[str] = FRAMEWORKS,
    wirings: Sequence[str] = WIRINGS,
    time_limit: float = 900.0,
    command: str = "python -m stress.load",
) -> Report:
    """Run the load against every (framework, wiring) server; figures and problems."""
    deadline = Deadline(time_limit)
    report = Report("Load", command)
    for framework in frameworks:
        for wiring in wirings:
            name = f"{framework}/{wiring}"
            with serve(framework, wiring, max_seconds=deadline.left() + 60) as url:
                result = asyncio.run(load_one(url, requests, concurrency, warmup, deadline))
            counts: Counter[str] = result["counts"]
            series = result["rss_series"]
            report.rows.append(
                {
                    "server": name,
                    "requests": result["sent"],
                    "lost tasks": counts["lost"],
                    "missed finalizers": counts["missed"],
                    "out of order or extra": disorder(counts),
                    "leaks": counts["leaks"],
                    "bad responses": result["bad"],
                    "req/s": round(result["rps"], 1),
                    "RSS after warm-up (MiB)": round(series[0] / 1024, 1) if series else None,
                    "RSS growth per 1,000 req (KiB)": round(result["rss_growth"], 1),
                }
            )
            if result["sent"] < requests:
                report.problems.append(
                    f"{name}: the time limit stopped the run after {result['sent']} requests"
                )
            if counts["requests"] != result["sent"]:
                report.problems.append(
                    f"{name}: {result['sent']} requests sent, {counts['requests']} traced"
                )
            wrong = {k: counts[k] for k in PROBLEMS if counts[k]}
            if wrong or result["bad"]:
                report.problems.append(f"{name}: {wrong or ''} bad responses: {result['bad']}")
            if len(series) > 1:
                report.notes.append(
                    f"{name}: RSS (KiB) after warm-up, then every {BLOCK:,}: "
                    + ", ".join(f"{kib:,}" for kib in series)
                    + "; server threads: "
                    + ", ".join(str(n) for n in result["threads"])
                )
    return report


def cli(argv: Sequence[str] | None = None) -> Report:
    """Parse the command line and run; the report (``main`` prints it)."""
    parser = options.parser("load", __doc__, time_limit=900.0)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=1000)
    options.add_servers(parser)
    args = parser.parse_args(argv)
    return run(
        requests=args.requests,
        concurrency=args.concurrency,
        warmup=args.warmup,
        frameworks=args.frameworks,
        wirings=args.wirings,
        time_limit=args.time_limit,
        command=options.command("load", argv),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return finish(cli(argv))


if __name__ == "__main__":
    sys.exit(main())
