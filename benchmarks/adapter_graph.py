"""The endpoint every adapter case serves, and what it must do per request.

``GET /items/{item_id}?q=...``: an app-scoped ``Settings``; a request-scoped ``Session``
made by a generator (closed after the response); a sub-dependency ``get_query`` that
reads ``q`` and queues a task; the handler, which reads ``item_id`` from the path and
queues a task of its own.  The same classes serve every case, wired by hand in the
framework or through its injectkit adapter (or, for FastAPI, its own ``Depends``), so a
difference in cost is the wiring's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

PATH = "/items/7"
QUERY = "q=books"
EXPECTED = {"item_id": 7, "q": "books", "env": "bench"}


@dataclass
class Tally:
    """What the requests did: each count must equal the number of requests made."""

    settings_made: int = 0
    sessions_opened: int = 0
    sessions_closed: int = 0
    tasks_run: int = 0


TALLY = Tally()


class Settings:
    """App-scoped: made once, before or at the first request."""

    def __init__(self) -> None:
        TALLY.settings_made += 1
        self.env = "bench"


class Session:
    """Request-scoped, with a teardown after the response."""

    def __init__(self) -> None:
        TALLY.sessions_opened += 1

    def close(self) -> None:
        TALLY.sessions_closed += 1


def record(_: object) -> None:
    """The background task: counts that it ran."""
    TALLY.tasks_run += 1


def body(item_id: int, q: str | None, settings: Settings) -> dict[str, object]:
    return {"item_id": item_id, "q": q, "env": settings.env}


def check_body(raw: bytes) -> None:
    """The response every case must send."""
    if json.loads(raw) != EXPECTED:
        raise AssertionError(f"unexpected response {raw!r}")


def check_tally(requests: int) -> None:
    """Every request opened and closed one session and ran its two tasks; one Settings."""
    expected = Tally(1, requests, requests, 2 * requests)
    if expected != TALLY:
        raise AssertionError(f"after {requests} requests: {TALLY}, expected {expected}")


def reset() -> None:
    """Zero the counts (the object stays: the cases hold no reference, but tests do)."""
    TALLY.settings_made = TALLY.sessions_opened = TALLY.sessions_closed = TALLY.tasks_run = 0
