"""Instructions per request through a real framework: each injectkit adapter next to the
same endpoint wired by hand in that framework (and, for FastAPI, FastAPI's own
``Depends``).

A request is a call of the app itself, in process: an ASGI call with an in-memory
``receive``/``send`` (after the app's lifespan start-up), or a WSGI call with an environ,
its body read and closed as a server does.  No sockets, no HTTP parsing: what is left is
the framework, the wiring and the endpoint.  Counted by valgrind's callgrind as in
:mod:`benchmarks.instructions` (a run of 1 + N requests minus a run of 1, over N).

Before anything is counted, every case is run and checked: the same JSON body, and per
request one session opened and closed and two background tasks run (one ``Settings`` in
all).

    uv run --group bench python -m benchmarks.adapters
    uv run --group bench python -m benchmarks.adapters --cases starlette-hand,starlette-injectkit
    ... --output docs/benchmarks-adapters.md   # the page in the docs
"""

from __future__ import annotations

import argparse
import datetime
import io
import platform
import shutil
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio

from benchmarks import adapter_graph as graph
from benchmarks.adapter_cases import BY_KEY, CASES, AdapterCase
from benchmarks.instructions import count_instructions

# --- one request, in process ---------------------------------------------------------------


def _http_scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": graph.PATH,
        "raw_path": graph.PATH.encode(),
        "query_string": graph.QUERY.encode(),
        "headers": [(b"host", b"127.0.0.1:8000")],
        "state": {},
    }


async def asgi_request(app: Any) -> bytes:
    """One GET through ``app``: the body it sent (after its background work ran)."""
    chunks: list[bytes] = []
    done = anyio.Event()
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise AssertionError(f"status {message['status']}")
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(_http_scope(), receive, send)
    done.set()
    return b"".join(chunks)


class Lifespan:
    """The app's lifespan, started before the requests and shut down after them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.started = anyio.Event()
        self.stop = anyio.Event()
        self.stopped = anyio.Event()
        self.failure: str | None = None

    async def run(self) -> None:
        sent_startup = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_startup
            if not sent_startup:
                sent_startup = True
                return {"type": "lifespan.startup"}
            await self.stop.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind.endswith(".failed"):
                self.failure = message.get("message", kind)
            if kind.startswith("lifespan.startup"):
                self.started.set()
            if kind.startswith("lifespan.shutdown"):
                self.stopped.set()

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        await self.app(scope, receive, send)


async def serve_asgi(app: Any, requests: int, each: Callable[[bytes], None]) -> None:
    lifespan = Lifespan(app)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(lifespan.run)
        await lifespan.started.wait()
        if lifespan.failure:
            raise RuntimeError(f"start-up failed: {lifespan.failure}")
        for _ in range(requests):
            each(await asgi_request(app))
        lifespan.stop.set()
        await lifespan.stopped.wait()


def _environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": graph.PATH,
        "QUERY_STRING": graph.QUERY,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def wsgi_request(app: Any) -> bytes:
    """One GET through a WSGI ``app``, its body read and closed as a server does."""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    body = app(_environ(), start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    if not statuses or not statuses[0].startswith("200"):
        raise AssertionError(f"status {statuses}")
    return data


def run_case(case: AdapterCase, requests: int, each: Callable[[bytes], None]) -> None:
    """Build ``case``'s app and make ``requests`` requests, handing each body to ``each``."""
    app = case.build()
    if case.interface == "wsgi":
        for _ in range(requests):
            each(wsgi_request(app))
        return
    anyio.run(serve_asgi, app, requests, each)


def check_case(case: AdapterCase, requests: int = 3) -> None:
    """Run ``case`` and check its bodies and what each request did (raises if not)."""
    graph.reset()
    run_case(case, requests, graph.check_body)
    graph.check_tally(requests)


# --- counting --------------------------------------------------------------------------------


def _child(key: str, requests: int) -> None:
    run_case(BY_KEY[key], 1 + requests, lambda body: None)


def per_request(valgrind: str, key: str, requests: int) -> int:
    """Instructions one request through case ``key`` costs."""

    def count(n: int) -> int:
        return count_instructions(valgrind, ["benchmarks.adapters", "--child", key, str(n)])

    base = count(0)
    return round((count(requests) - base) / requests)


def _frameworks() -> str:
    """The versions of the frameworks the cases run (each distribution is named so)."""
    names = dict.fromkeys(case.framework for case in CASES)
    return ", ".join(f"{name} {version(name.lower())}" for name in names)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.adapters",
        description="Instructions per request through each framework, by hand and injectkit.",
    )
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--cases",
        default=",".join(case.key for case in CASES),
        help="comma-separated cases (default: all): " + ", ".join(BY_KEY),
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests counted")
    parser.add_argument("--output", type=Path, help="also write the page there (markdown)")
    args = parser.parse_args(argv)
    if args.child:
        key, n = args.child
        _child(key, int(n))
        return 0
    keys = [key for key in args.cases.split(",") if key]
    unknown = [key for key in keys if key not in BY_KEY]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(BY_KEY)}")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    for key in keys:
        check_case(BY_KEY[key])
    counts = {key: per_request(valgrind, key, args.requests) for key in keys}
    lines = _page(counts, args.requests)
    print("\n".join(lines))
    if args.output:
        args.output.write_text("\n".join(lines) + "\n")
    return 0


def _page(counts: dict[str, int], requests: int) -> list[str]:
    lines = [
        "# Benchmarks: through each framework",
        "",
        "<!-- Generated by `uv run --group bench python -m benchmarks.adapters --output "
        "docs/benchmarks-adapters.md`; edit benchmarks/adapters.py, not this file. -->",
        "",
        f"Run on {datetime.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{requests:,} requests per count. Versions: injectkit {version('injectkit')}, "
        f"{_frameworks()}.",
        "",
        "One request is a call of the app itself, in process: an ASGI call with an in-memory "
        "request after the app's lifespan start-up, or a WSGI call with its body read and "
        "closed as a server does. No sockets and no HTTP parsing, so what is counted is the "
        "framework, the wiring and the endpoint. The endpoint is the same everywhere: "
        "`GET /items/7?q=books` with an app-scoped `Settings`, a request-scoped `Session` "
        "made by a generator and closed after the response, a sub-dependency reading `q` "
        "and queueing a task, and the handler reading `item_id` from the path and queueing "
        "another. *By hand* is that endpoint as the framework's users write it without a DI "
        "library (the session made and closed in the endpoint, the framework's own "
        "background tasks); *Depends* is FastAPI's own resolver. Every case is checked "
        "before it is counted: the same body, and per request one session opened and closed "
        "and two tasks run. Counted by valgrind's callgrind like "
        "[the core's instructions](benchmarks-instructions.md): a run of 1 + N requests "
        "minus a run of 1, over N. Not in the table yet: aiohttp and Django, whose apps "
        "are not plain ASGI or WSGI callables without their server machinery (aiohttp's "
        "request handler, Django's settings module).",
        "",
        # The table is also shown on docs/benchmarks.md, which includes this section.
        "<!-- --8<-- [start:table] -->",
        "| framework | wiring | instructions per request | vs the first row |",
        "| --- | --- | ---: | ---: |",
    ]
    first: dict[str, int] = {}
    for key, count in counts.items():
        case = BY_KEY[key]
        floor = first.setdefault(case.framework, count)
        lines.append(f"| {case.framework} | {case.wiring} | {count:,} | {count / floor:.2f}x |")
    notes = [BY_KEY[key].note for key in counts if BY_KEY[key].note]
    for note in notes:
        lines += ["", note]
    lines.append("<!-- --8<-- [end:table] -->")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
