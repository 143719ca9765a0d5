"""The Celery app of the real-broker tests (tests/integrations/test_celery*.py).

The tests run it in a real worker (``celery -A tests.integrations._celery_app worker``)
and send its tasks from a real web request.  Both processes share a SQLite file (the
"database"): ``INJECTKIT_TEST_DB`` names it, ``INJECTKIT_TEST_BROKER`` the Redis URL.
Every task writes what it saw into that database; the tests read it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from celery import Celery

from injectkit import BackgroundTasks, Container
from injectkit.integrations.celery import TaskInfo, inject, setup

# The kill test's redelivery waits for this long after the worker died (the Redis
# transport gives an unacknowledged message back after its visibility timeout).
VISIBILITY_TIMEOUT = 6
KILL_QUEUE = "kill"


def database() -> str:
    return os.environ["INJECTKIT_TEST_DB"]


def connect() -> sqlite3.Connection:
    return sqlite3.connect(database(), timeout=30)


def create_tables() -> None:
    with connect() as db:
        db.executescript(
            """
            create table if not exists rows (id integer primary key, label text);
            create table if not exists executions (
                label text, task_id text, pid integer, detail text, retries integer,
                at real);
            create table if not exists journal (event text, detail text, pid integer);
            """
        )
    db.close()


def journal(event: str, detail: str = "") -> None:
    db = connect()
    with db:
        db.execute("insert into journal values (?, ?, ?)", (event, detail, os.getpid()))
    db.close()


def _celery_app(name: str, broker: str) -> Celery:
    app = Celery(name, broker=broker, set_as_current=False)
    app.conf.update(
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "unacked_restore_interval": 1,  # look for them every second
            "unacked_restore_throttle": 1,
        },
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        task_routes={f"{__name__}.interrupted": {"queue": KILL_QUEUE}},
    )
    return app


celery_app = _celery_app("injectkit_tests", os.environ.get("INJECTKIT_TEST_BROKER", "redis://"))
container = Container()
setup(celery_app, container)


class Worker:
    """App-scoped: one per worker process; its finalizer runs at worker shutdown."""

    def __init__(self) -> None:
        self.pid = os.getpid()


@container.provider(scope="app")
def worker() -> Iterator[Worker]:
    journal("app-open")
    yield Worker()
    journal("app-closed")


class Session:
    """Request-scoped: a connection whose finalizer commits (or rolls back)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, *params: Any) -> sqlite3.Cursor:
        return self.db.execute(sql, params)


@container.provider
def session() -> Iterator[Session]:
    db = connect()
    try:
        yield Session(db)
        db.commit()  # committed in the finalizer: after the handler (and the web response)
        journal("session-committed")
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


def _executed(session: Session, label: str, info: TaskInfo, detail: str = "") -> None:
    session.execute(
        "insert into executions values (?, ?, ?, ?, ?, ?)",
        label,
        info.id,
        os.getpid(),
        detail,
        info.retries,
        time.time(),
    )


@inject(celery_app)
def record(
    label: str, session: Session, info: TaskInfo, tasks: BackgroundTasks, worker: Worker
) -> None:
    """A task with injected dependencies: a session, its TaskInfo, its own tasks."""
    _executed(session, label, info, f"worker-pid={worker.pid}")
    # The execution's own BackgroundTasks: run after the body, before the commit.
    tasks.add_task(
        session.execute, "insert into journal values ('task-background', ?, ?)", label, os.getpid()
    )


@inject(celery_app)
async def record_async(label: str, session: Session, info: TaskInfo) -> None:
    """An async task: run on the worker process's event loop."""
    _executed(session, label, info, "async")


@inject(celery_app)
def check_row(row_id: int, label: str, session: Session, info: TaskInfo) -> None:
    """Whether the row the web request's finalizer committed is visible here."""
    seen = session.execute("select count(*) from rows where id = ?", row_id).fetchone()[0]
    _executed(session, label, info, f"seen={seen}")


@inject(celery_app)
def interrupted(label: str, session: Session, info: TaskInfo, worker: Worker) -> None:
    """Hangs on its first delivery (the test kills the worker then); records later ones.

    It needs the app-scoped Worker: each process that runs it opens (and closes) it."""
    started = session.execute(
        "select count(*) from journal where event = 'started' and detail like ?", label + " %"
    ).fetchone()[0]
    journal("started", f"{label} {info.id}")
    if not started:
        time.sleep(120)
    _executed(session, label, info, f"redelivered={info.redelivered}")


@inject(celery_app)
def retried(label: str, session: Session, info: TaskInfo) -> None:
    """Retries once: each execution gets a request scope (and session) of its own."""
    journal("retried-run", f"{label} retries={info.retries} session={id(session)}")
    if info.retries == 0:
        raise info.task.retry(countdown=0, max_retries=1)


# A second app whose broker is down: its sends fail.  A test replays what it could
# not send to the live broker, as ``record``.
offline_outbox: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
offline_app = _celery_app("injectkit_offline", "redis://127.0.0.1:9/0")
setup(
    offline_app,
    container,
    send_retries=1,
    on_send_error=lambda error, task, args, kwargs: offline_outbox.append(
        (task.name, args, kwargs)
    ),
)


@inject(offline_app)
def record_offline(label: str, session: Session, info: TaskInfo) -> None:
    """Never runs: sends of it fail (the test replays them as ``record``)."""
    _executed(session, label, info)


if os.environ.get("INJECTKIT_TEST_DB"):
    create_tables()
