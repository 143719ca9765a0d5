"""A cancellation at every await point of a graph of async generator providers.

::

    uv run python -m stress.cancellation --repeat 3

The graph (fresh container each run): app-scoped ``config`` and ``pool`` (async
generators), request-scoped ``session`` and ``transaction`` (async generators) and
``cache`` (a sync generator), a function-scoped ``audit`` (``Depends(scope="function")``),
a handler that awaits, calls a nested injected function and queues two async tasks
that await.  Every await in user code is a *checkpoint*: ``await checkpoint(where)``
counts it and yields to the event loop.

A first run with no cancellation counts the checkpoints (N).  Then for k = 1..N, a run
cancels its enclosing ``anyio.CancelScope`` at the k-th checkpoint, so the cancellation
lands exactly there (and at every unshielded await after it).  Each run checks:

- every provider that reached its ``yield`` ran its finalizer exactly once and to its
  end (finalizers await twice, so a cut would show);
- no provider's finalizer ran without its ``yield`` having been reached;
- the run ended normally or by the cancellation, with no other error.

On asyncio and trio, with ``Container(concurrent=False)`` and ``concurrent=True``
(independent providers resolved in a task group), ``--repeat`` times each.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated

import anyio

from injectkit import BackgroundTasks, Container, Depends

from . import _options as options
from ._report import Deadline, Report, finish

BACKENDS = ("asyncio", "trio")


class Checkpoints:
    """Counts awaits; cancels ``scope`` at the ``cancel_at``-th one."""

    def __init__(self, cancel_at: int | None) -> None:
        self.cancel_at = cancel_at
        self.count = 0
        self.scope: anyio.CancelScope | None = None
        self.where: str | None = None

    async def __call__(self, where: str) -> None:
        self.count += 1
        if self.count == self.cancel_at:
            assert self.scope is not None
            self.where = where
            self.scope.cancel()
        await anyio.sleep(0)  # the await point itself: a cancellation lands here


class Trace:
    """Per provider: how often it reached its yield, began and ended its finalizer."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def problems(self) -> list[str]:
        found = []
        for name in PROVIDERS:
            opened = self.counts[f"open:{name}"]
            began = self.counts[f"closing:{name}"]
            ended = self.counts[f"closed:{name}"]
            if opened > 1 or began != opened or ended != opened:
                found.append(f"{name}: yielded {opened}, finalizer began {began}, ended {ended}")
        return found


PROVIDERS = ("config", "pool", "session", "transaction", "cache", "audit")


class Config: ...


class Pool: ...


class Session: ...


class Transaction: ...


class Cache: ...


class Audit: ...


def build(checkpoint: Checkpoints, trace: Trace, concurrent: bool) -> Container:
    """The graph, every await a checkpoint, every step recorded in ``trace``."""
    container = Container(concurrent=concurrent)
    record = trace.counts.update

    @asynccontextmanager
    async def lifetime(name: str) -> AsyncIterator[None]:
        """A provider's body: an await before its yield, two in its finalizer."""
        await checkpoint(f"{name} before yield")
        record([f"open:{name}"])
        try:
            yield
        finally:
            record([f"closing:{name}"])
            await checkpoint(f"{name} finalizer, first await")
            await checkpoint(f"{name} finalizer, second await")
            record([f"closed:{name}"])

    async def config() -> AsyncIterator[Config]:
        async with lifetime("config"):
            yield Config()

    async def pool(config: Config) -> AsyncIterator[Pool]:
        async with lifetime("pool"):
            yield Pool()

    async def session(pool: Pool) -> AsyncIterator[Session]:
        async with lifetime("session"):
            yield Session()

    async def transaction(session: Session) -> AsyncIterator[Transaction]:
        async with lifetime("transaction"):
            yield Transaction()

    def cache() -> Iterator[Cache]:
        record(["open:cache"])
        try:
            yield Cache()
        finally:
            record(["closing:cache", "closed:cache"])

    async def audit(session: Session) -> AsyncIterator[Audit]:
        async with lifetime("audit"):
            yield Audit()

    container.register(Config, config, scope="app")
    container.register(Pool, pool, scope="app")
    container.register(Session, session)
    container.register(Transaction, transaction)
    container.register(Cache, cache)

    async def task(name: str) -> None:
        await checkpoint(f"task {name}, first await")
        await checkpoint(f"task {name}, second await")

    @container.inject
    async def nested(tx: Transaction, cache: Cache, tasks: BackgroundTasks) -> None:
        await checkpoint("nested call")
        tasks.add_task(task, "from the nested call")

    @container.inject
    async def handler(
        tx: Transaction,
        audit: Annotated[Audit, Depends(audit, scope="function")],
        tasks: BackgroundTasks,
    ) -> None:
        await checkpoint("handler, first await")
        tasks.add_task(task, "from the handler")
        await nested()
        await checkpoint("handler, last await")

    container.handler = handler  # type: ignore[attr-defined]
    return container


async def run_once(cancel_at: int | None, concurrent: bool) -> tuple[Checkpoints, Trace, str]:
    """One request in one app lifetime; (checkpoints, trace, how it ended)."""
    checkpoint = Checkpoints(cancel_at)
    trace = Trace()
    container = build(checkpoint, trace, concurrent)
    ended = "normally"
    try:
        with anyio.CancelScope() as scope:
            checkpoint.scope = scope
            async with container:
                await container.handler()  # type: ignore[attr-defined]
        if scope.cancelled_caught:
            ended = "cancelled"
    except Exception as error:  # anything but the cancellation is a problem
        ended = f"raised {error!r}"
    return checkpoint, trace, ended


async def sweep(concurrent: bool, repeat: int, deadline: Deadline) -> dict[str, object]:
    """Count the checkpoints, then cancel at each one in turn, ``repeat`` times."""
    counted, trace, ended = await run_once(None, concurrent)
    problems = [f"uncancelled run: {p}" for p in trace.problems()]
    if ended != "normally":
        problems.append(f"uncancelled run ended {ended}")
    points = counted.count
    runs = cancelled = entered = 0
    for _ in range(repeat):
        for k in range(1, points + 1):
            if deadline.expired:
                problems.append("stopped by the time limit")
                break
            checkpoint, trace, ended = await run_once(k, concurrent)
            runs += 1
            cancelled += ended == "cancelled"
            entered += sum(n for key, n in trace.counts.items() if key.startswith("closing:"))
            where = f"cancelled at {k} ({checkpoint.where})"
            problems.extend(f"{where}: {p}" for p in trace.problems())
            if ended.startswith("raised"):
                problems.append(f"{where}: {ended}")
    return {
        "points": points,
        "runs": runs,
        "cancelled": cancelled,
        "entered": entered,
        "problems": problems,
    }


def run(
    *,
    repeat: int = 3,
    backends: Sequence[str] = BACKENDS,
    time_limit: float = 300.0,
    command: str = "python -m stress.cancellation",
) -> Report:
    deadline = Deadline(time_limit)
    report = Report("Cancellation at every await point", command)
    for backend in backends:
        for concurrent in (False, True):
            result = anyio.run(partial(sweep, concurrent, repeat, deadline), backend=backend)
            problems: list[str] = result["problems"]  # type: ignore[assignment]
            report.rows.append(
                {
                    "backend": backend,
                    "container": "concurrent=True" if concurrent else "concurrent=False",
                    "await points": result["points"],
                    "runs (one cancel each)": result["runs"],
                    "ended by the cancellation": result["cancelled"],
                    "finalizers entered": result["entered"],
                    "not run exactly once to the end": len(problems),
                }
            )
            report.problems.extend(f"{backend} concurrent={concurrent}: {p}" for p in problems)
    return report


def cli(argv: Sequence[str] | None = None) -> Report:
    """Parse the command line and run; the report (``main`` prints it)."""
    parser = options.parser("cancellation", __doc__, time_limit=300.0)
    parser.add_argument("--repeat", type=int, default=3, help="sweeps over the await points")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    args = parser.parse_args(argv)
    return run(
        repeat=args.repeat,
        backends=args.backends,
        time_limit=args.time_limit,
        command=options.command("cancellation", argv),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return finish(cli(argv))


if __name__ == "__main__":
    sys.exit(main())
