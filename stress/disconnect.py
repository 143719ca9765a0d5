"""Clients that leave mid-request, with a FIN or with an RST, through uvicorn.

::

    uv run python -m stress.disconnect --requests 200 --concurrency 20

Raw sockets on 127.0.0.1.  A FIN is ``shutdown(SHUT_WR)``, reading until the server
closes, then ``close()``; an RST is ``SO_LINGER`` 0 then ``close()``.  Three moments:

- ``handler``: ``GET /slow`` (the handler awaits 50 ms); the client leaves after 10 ms.
  The handler still returns, so its tasks run, then the finalizers.
- ``body``: ``POST /upload`` announcing 1,000 bytes and sending 10; the client leaves
  while the handler reads the body.  The read raises (Starlette's ``ClientDisconnect``):
  the tasks are dropped, the finalizers run.
- ``stream``: ``GET /stream`` (a chunk every 5 ms); the client leaves after the first
  chunk.  Starlette stops the stream and the app returns: tasks run, as Starlette's own
  ``background=`` does, then the finalizers.

For every server (Starlette, FastAPI; injectkit and the hand-wired baseline) and every
(moment, FIN/RST), ``--requests`` connections at ``--concurrency``: each finalizer that
was entered must run once and to its end, no task may be lost or run after a finalizer,
and the server must still answer a plain request afterwards.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from . import _options as options
from ._apps import FRAMEWORKS, WIRINGS
from ._ledger import FULL, NO_TASKS, PROBLEMS, disorder, tally
from ._report import Deadline, Report, finish
from ._server import serve
from .load import settle

MOMENTS = ("handler", "body", "stream")
CUTS = ("fin", "rst")
EXPECTED = {"handler": FULL, "body": NO_TASKS, "stream": FULL}
SOCKET_TIMEOUT = 10.0


def request_bytes(moment: str, request_id: str) -> bytes:
    """What the client sends before it leaves (the body moment sends part of a body)."""
    if moment == "handler":
        target = f"/slow?id={request_id}&delay=0.05"
        return f"GET {target} HTTP/1.1\r\nHost: stress\r\n\r\n".encode()
    if moment == "body":
        head = f"POST /upload?id={request_id} HTTP/1.1\r\nHost: stress\r\n"
        return (head + "Content-Length: 1000\r\n\r\n").encode() + b"x" * 10
    target = f"/stream?id={request_id}&chunks=200"
    return f"GET {target} HTTP/1.1\r\nHost: stress\r\n\r\n".encode()


def cut(sock: socket.socket, how: str) -> None:
    """Leave: an orderly FIN (after reading what the server still sends) or an RST."""
    if how == "rst":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        return
    try:
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):  # unread data at close() would turn the FIN into an RST
            pass
    except OSError:
        pass
    finally:
        sock.close()


def leave_once(address: tuple[str, int], moment: str, how: str, request_id: str) -> None:
    sock = socket.create_connection(address, timeout=SOCKET_TIMEOUT)
    try:
        sock.sendall(request_bytes(moment, request_id))
        if moment == "stream":
            received = b""
            while b"chunk 0" not in received:  # the stream has started
                data = sock.recv(65536)
                if not data:
                    break
                received += data
        else:
            time.sleep(0.01)
    finally:
        cut(sock, how)


def leave_many(
    url: str, requests: int, concurrency: int, deadline: Deadline
) -> tuple[dict[str, int], list[str]]:
    """Every (moment, cut) ``requests`` times; how many were sent, and client errors."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    sent: Counter[str] = Counter()
    errors: list[str] = []
    jobs: list[tuple[str, Callable[[], None]]] = []
    for moment in MOMENTS:
        for how in CUTS:
            kind = f"{moment}-{how}"
            for n in range(requests):
                request_id = f"{kind}.{n}"
                jobs.append(
                    (kind, lambda m=moment, h=how, r=request_id: leave_once(address, m, h, r))
                )

    def attempt(job: tuple[str, Callable[[], None]]) -> None:
        kind, leave = job
        if deadline.expired:
            return
        try:
            leave()
        except OSError as error:
            errors.append(f"{kind}: {error!r}")
            return
        sent[kind] += 1

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(attempt, jobs))
    return dict(sent), errors


async def afterwards(url: str, deadline: Deadline) -> tuple[int, dict[str, object]]:
    """A plain request after all that (the server still serves), then settled stats."""
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
        response = await http.get("/work", params={"id": "after.0"})
        return response.status_code, await settle(http, deadline)


def run(
    *,
    requests: int = 200,
    concurrency: int = 20,
    frameworks: Sequence[str] = FRAMEWORKS,
    wirings: Sequence[str] = WIRINGS,
    time_limit: float = 600.0,
    command: str = "python -m stress.disconnect",
) -> Report:
    deadline = Deadline(time_limit)
    report = Report("Client disconnects", command)
    expected = {f"{m}-{h}": EXPECTED[m] for m in MOMENTS for h in CUTS} | {"after": FULL}
    for framework in frameworks:
        for wiring in wirings:
            name = f"{framework}/{wiring}"
            with serve(framework, wiring, max_seconds=deadline.left() + 60) as url:
                sent, errors = leave_many(url, requests, concurrency, deadline)
                status, stats = asyncio.run(afterwards(url, deadline))
            counts = tally(stats["ledger"], expected)  # type: ignore[arg-type]
            for kind in expected:
                if kind == "after":
                    continue
                found = counts.get(kind, Counter())
                report.rows.append(
                    {
                        "server": name,
                        "moment": kind,
                        "connections": sent.get(kind, 0),
                        "finalizers entered": found["requests"] - found["unfinished"],
                        "missed finalizers": found["missed"],
                        "lost tasks": found["lost"],
                        "out of order or extra": disorder(found),
                        "leaks": found["leaks"],
                    }
                )
                wrong = {k: found[k] for k in PROBLEMS if found[k]}
                if wrong:
                    report.problems.append(f"{name} {kind}: {wrong}")
                if found["requests"] != sent.get(kind, 0):
                    report.problems.append(
                        f"{name} {kind}: {sent.get(kind, 0)} connections, "
                        f"{found['requests']} traced"
                    )
            if sum(sent.values()) < requests * len(MOMENTS) * len(CUTS):
                report.problems.append(f"{name}: stopped by the time limit or client errors")
            report.problems.extend(f"{name}: client error {e}" for e in errors[:5])
            if status != 200:
                report.problems.append(f"{name}: a plain request afterwards got {status}")
    return report


def cli(argv: Sequence[str] | None = None) -> Report:
    """Parse the command line and run; the report (``main`` prints it)."""
    parser = options.parser("disconnect", __doc__, time_limit=600.0)
    parser.add_argument("--requests", type=int, default=200, help="per moment and cut")
    parser.add_argument("--concurrency", type=int, default=20)
    options.add_servers(parser)
    args = parser.parse_args(argv)
    return run(
        requests=args.requests,
        concurrency=args.concurrency,
        frameworks=args.frameworks,
        wirings=args.wirings,
        time_limit=args.time_limit,
        command=options.command("disconnect", argv),
    )


def main(argv: Sequence[str] | None = None) -> int:
    return finish(cli(argv))


if __name__ == "__main__":
    sys.exit(main())
