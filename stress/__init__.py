"""The stress suite: bounded, self-stopping scripts, on 127.0.0.1 only.

Run from the repository root (each prints a markdown table and exits 1 on a problem)::

    uv run python -m stress                    # all four, at a quick size
    uv run python -m stress --full             # all four, at the sizes of docs/reliability.md
    uv run python -m stress.load --requests 10000 --concurrency 100
    uv run python -m stress.disconnect --requests 200 --concurrency 20
    uv run python -m stress.cancellation --repeat 3
    uv run python -m stress.thread_race --containers 5000 --threads 32

- :mod:`stress.load` -- N requests at concurrency C through uvicorn on Starlette and
  FastAPI, injectkit next to the same endpoint wired by hand: lost tasks, missed or
  out-of-order finalizers, cross-request leaks, memory per 1,000 requests, requests/s.
- :mod:`stress.disconnect` -- clients that leave (FIN or RST) while the handler runs,
  while the request body is read, and while a streamed body is sent.
- :mod:`stress.cancellation` -- a cancellation at every await point of a graph of async
  generator providers, on asyncio and trio.
- :mod:`stress.thread_race` -- 32 threads behind a barrier resolving one app singleton
  of a fresh container, over thousands of containers.

Every script has a ``--time-limit`` and stops itself; servers are child processes on a
free 127.0.0.1 port that also end themselves after their own limit.  The shared parts:
:mod:`stress._apps` (the endpoints), :mod:`stress._ledger` (per-request traces and how
they are judged), :mod:`stress._server` (the server process), :mod:`stress._report`.
"""
