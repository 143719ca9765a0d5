"""The thread race: many threads resolve one app singleton of a fresh container at once.

::

    uv run python -m stress.thread_race --containers 5000 --threads 32

``--threads`` threads wait at a barrier, then each resolves the same app-scoped
provider of a new container, through ``container.request()`` and ``resolve_sync``
(``--via resolve``) or a plain call of an injected sync function (``--via inject``).
This is repeated over ``--containers`` fresh containers with
``sys.setswitchinterval(1e-6)`` (a thread switch every microsecond, to open every
window).  The singleton must be built exactly once per container, and every thread
must get that one instance.

The threads are started once and reused: two barriers mark each round's start and end.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence

from injectkit import Container

from . import _options as options
from ._report import Deadline, Report, finish

VIAS = ("resolve", "inject")
BARRIER_TIMEOUT = 60.0


class Singleton:
    """The app-scoped value; its constructor counts builds."""


class Round:
    """One container and what its threads saw."""

    def __init__(self, via: str, threads: int) -> None:
        self.built: list[Singleton] = []
        self.seen: list[Singleton | None] = [None] * threads
        self.errors: list[BaseException] = []
        container = Container()

        def singleton() -> Singleton:
            value = Singleton()
            self.built.append(value)  # list.append is atomic under the GIL
            return value

        container.register(Singleton, singleton, scope="app")
        self.resolve: Callable[[], Singleton]
        if via == "resolve":

            def resolve() -> Singleton:
                with container.request() as scope:
                    return scope.resolve_sync(Singleton)

            self.resolve = resolve
        else:

            @container.inject
            def handler(value: Singleton) -> Singleton:
                return value

            self.resolve = handler

    def run(self, index: int) -> None:
        try:
            self.seen[index] = self.resolve()
        except BaseException as error:  # reported, not lost in a thread
            self.errors.append(error)

    @property
    def instances(self) -> int:
        return len({id(value) for value in self.seen if value is not None})


def race(via: str, containers: int, threads: int, deadline: Deadline) -> dict[str, object]:
    start = threading.Barrier(threads + 1, timeout=BARRIER_TIMEOUT)
    end = threading.Barrier(threads + 1, timeout=BARRIER_TIMEOUT)
    current: list[Round | None] = [None]

    def worker(index: int) -> None:
        while True:
            start.wait()
            round_ = current[0]
            if round_ is None:
                return
            round_.run(index)
            end.wait()

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    twice = mismatched = failed = done = 0
    examples: list[str] = []
    began = time.perf_counter()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for n in range(containers):
            if deadline.expired:
                break
            round_ = current[0] = Round(via, threads)
            start.wait()
            end.wait()
            done += 1
            if len(round_.built) != 1:
                twice += 1
                if len(examples) < 3:
                    examples.append(f"container {n}: built {len(round_.built)} times")
            if round_.instances != 1 or None in round_.seen:
                mismatched += 1
            if round_.errors:
                failed += 1
                if len(examples) < 3:
                    examples.append(f"container {n}: {round_.errors[0]!r}")
    finally:
        sys.setswitchinterval(interval)
        current[0] = None
        start.wait()
        for thread in pool:
            thread.join(BARRIER_TIMEOUT)
    return {
        "containers": done,
        "built more than once": twice,
        "threads saw different instances": mismatched,
        "errors": failed,
        "seconds": time.perf_counter() - began,
        "examples": examples,
    }


def run(
    *,
    containers: int = 5000,
    threads: int = 32,
    vias: Sequence[str] = VIAS,
    time_limit: float = 300.0,
    command: str = "python -m stress.thread_race",
) -> Report:
    deadline = Deadline(time_limit)
    report = Report("Thread race on a fresh container's app singleton", command)
    for via in vias:
        result = race(via, containers, threads, deadline)
        examples: list[str] = result.pop("examples")  # type: ignore[assignment]
        seconds: float = result.pop("seconds")  # type: ignore[assignment]
        report.rows.append(
            {"through": via, "threads": threads, **result, "seconds": round(seconds, 1)}
        )
        if result["containers"] != containers:
            report.problems.append(f"{via}: stopped by the time limit at {result['containers']}")
        for key in ("built more than once", "threads saw different instances", "errors"):
            if result[key]:
                report.problems.append(f"{via}: {key} in {result[key]} containers")
        report.problems.extend(f"{via}: {example}" for example in examples)
    return report


def cli(argv: Sequence[str] | None = None) -> Report:
    """Parse the command line and run; the report (``main`` prints it)."""
    parser = options.parser("thread_race", __doc__, time_limit=300.0)
    parser.add_argument("--containers", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--via", nargs="+", choices=VIAS, default=VIAS)
    args = parser.parse_args(argv)
    return run(
        containers=args.containers,
        threads=args.threads,
        vias=args.via,
        time_limit=args.time_limit,
        command=options.command("thread_race", argv),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return finish(cli(argv))


if __name__ == "__main__":
    sys.exit(main())
