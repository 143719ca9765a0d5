"""Celery on Redis: BackgroundTasks sent from a real web request, run by a real worker.

Redis (Debian's ``redis-server``, installed by .ci/run) is started on a free 127.0.0.1
port, without persistence, in a temporary directory; the worker is a real ``celery
worker`` subprocess (``--pool=solo``) running tests/integrations/_celery_app.py; the
web app is Starlette on uvicorn.  Nothing runs eagerly.  The worker and the web
process share a SQLite file, where each task writes what it saw.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from injectkit import BackgroundTasks, InjectionError
from injectkit.integrations import starlette as web
from injectkit.integrations.celery import TaskInfo, inject

from . import _celery_app as tasks_module
from ._celery_app import (
    KILL_QUEUE,
    Session,
    celery_app,
    check_row,
    container,
    interrupted,
    record,
    record_async,
    record_offline,
)
from ._celery_fixtures import (
    WAIT,
    Worker,
    needs_redis,
    redis_server,  # noqa: F401 - the fixture redis_url
    wait_until,
    worker_command,
)
from .conftest import serve_asgi

pytestmark = needs_redis
# The worker imports the tasks' module under the name this process did (the tasks'
# names derive from it), from the directory pytest put on sys.path for it.
APP_MODULE = tasks_module.__name__
IMPORT_ROOT = Path(tasks_module.__file__).parents[APP_MODULE.count(".")]
BROKEN_APP_MODULE = APP_MODULE.replace("_celery_app", "_celery_broken_app")


# --- the database, the worker ----------------------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The SQLite file the web process and the worker both see."""
    path = tmp_path_factory.mktemp("celery-db") / "shared.sqlite"
    old = os.environ.get("INJECTKIT_TEST_DB")
    os.environ["INJECTKIT_TEST_DB"] = str(path)
    tasks_module.create_tables()
    yield path
    if old is None:
        del os.environ["INJECTKIT_TEST_DB"]
    else:
        os.environ["INJECTKIT_TEST_DB"] = old


def start_worker(
    redis_url: str, database: Path, queue: str, log: Path, *, pool: str = "solo"
) -> Worker:
    """A worker of the tests' app on ``queue``."""
    return Worker(
        f"{APP_MODULE}:celery_app",
        log,
        broker=redis_url,
        queue=queue,
        import_root=IMPORT_ROOT,
        env={"INJECTKIT_TEST_DB": str(database)},
        pool=pool,
    )


@pytest.fixture(scope="module")
def broker(redis_url: str) -> Iterator[str]:
    """The web side's Celery app pointed at this Redis (its connections closed after)."""
    celery_app.conf.broker_url = redis_url
    yield redis_url
    celery_app.close()


@pytest.fixture(scope="module")
def worker(
    broker: str, database: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """One worker for the module's tests, on the default queue."""
    started = start_worker(broker, database, "celery", tmp_path_factory.mktemp("worker") / "log")
    yield started
    started.stop()


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(database, timeout=30)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def executions(database: Path, prefix: str) -> list[tuple[Any, ...]]:
    """(label, task_id, pid, detail, retries) of the executions whose label starts so."""
    return rows(
        database,
        "select label, task_id, pid, detail, retries from executions where label like ? "
        "order by label",
        prefix + "%",
    )


# --- the web app -------------------------------------------------------------------------


@web.inject
async def send(label: str, count: int, tasks: BackgroundTasks) -> dict[str, int]:
    for index in range(count):
        tasks.add_task(record, f"{label}-{index}")
    return {"queued": count}


@web.inject
async def send_then_fail(label: str, tasks: BackgroundTasks) -> None:
    tasks.add_task(record, label)
    raise HTTPException(409, "the handler failed after queueing")


@web.inject
async def write_row(label: str, session: Session, tasks: BackgroundTasks) -> dict[str, int]:
    cursor = session.execute("insert into rows (label) values (?)", label)
    row_id = cursor.lastrowid
    assert row_id is not None
    tasks.add_task(check_row, row_id, label)  # the session commits in its finalizer
    return {"row": row_id}


@web.inject
async def send_async(label: str, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(record_async, label)
    return {"queued": label}


@web.inject
async def send_offline(label: str, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(record_offline, label)
    return {"queued": label}


# Held closed by a test while it checks that its client already has the response: the
# in-process task below waits on it, and the request's sends come after its tasks.
HOLD_SENDS = threading.Event()


def wait_for_the_test() -> None:
    """An in-process task that runs until the test releases it."""
    HOLD_SENDS.wait(timeout=30)


@web.inject
async def send_held(label: str, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(wait_for_the_test)
    tasks.add_task(record, label)
    return {"queued": label}


@pytest.fixture(scope="module")
def site(broker: str, database: Path) -> Iterator[str]:
    """The web app on uvicorn; its requests run in the tasks' container."""
    app = Starlette(
        routes=[
            # GET too: the timing test's requests go in one packet (no delayed ACK).
            Route("/send/{label}/{count:int}", send, methods=["GET", "POST"]),
            Route("/fail/{label}", send_then_fail, methods=["POST"]),
            Route("/rows/{label}", write_row, methods=["POST"]),
            Route("/async/{label}", send_async, methods=["POST"]),
            Route("/offline/{label}", send_offline, methods=["POST"]),
            Route("/held/{label}", send_held, methods=["POST"]),
        ]
    )
    web.setup(app, container)
    with serve_asgi(app) as url:
        yield url


def label() -> str:
    return uuid.uuid4().hex[:12]


# --- what add_task sends, and when ---------------------------------------------------------


def test_tasks_sent_from_a_web_request_each_run_once_with_dependencies_resolved_in_the_worker(
    site: str, worker: Worker, database: Path
) -> None:
    """N add_task calls in real requests: N executions, each with its own session and TaskInfo."""
    name, per_request, requests = label(), 5, 4
    with httpx.Client(base_url=site) as client:
        for batch in range(requests):
            response = client.post(f"/send/{name}{batch}/{per_request}")
            assert response.json() == {"queued": per_request}
    sent = per_request * requests
    done = wait_until(
        lambda: len(executions(database, name)) >= sent and executions(database, name),
        "the tasks running",
    )
    time.sleep(0.5)  # a duplicate would show up now
    done = executions(database, name)
    assert len(done) == sent
    assert len({task_id for _, task_id, _, _, _ in done}) == sent
    # Resolved in the worker: the app-scoped Worker is the worker process's.
    assert {detail for _, _, _, detail, _ in done} == {f"worker-pid={worker.pid}"}
    assert {pid for _, _, pid, _, _ in done} == {worker.pid}
    # Each execution's own BackgroundTasks ran, then its session's finalizer committed.
    background = rows(
        database,
        "select detail from journal where event = 'task-background' and detail like ?",
        name + "%",
    )
    assert sorted(detail for (detail,) in background) == sorted(label for label, *_ in done)
    print(f"\n[celery] tasks sent {sent}, executed {len(done)}")


def test_an_async_task_runs_on_the_worker_event_loop(
    site: str, worker: Worker, database: Path
) -> None:
    """An async def task is awaited in the worker, in a request scope of its own."""
    name = label()
    with httpx.Client(base_url=site) as client:
        assert client.post(f"/async/{name}").status_code == 200
    done = wait_until(lambda: executions(database, name), "the async task running")
    assert [(found, detail) for found, _, _, detail, _ in done] == [(name, "async")]


def test_nothing_is_sent_when_the_handler_raised(
    site: str, worker: Worker, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler that fails after add_task: no task reaches the worker."""
    name = label()
    with caplog.at_level(logging.WARNING, "injectkit"), httpx.Client(base_url=site) as client:
        assert client.post(f"/fail/{name}").status_code == 409
        # A task sent after it shows the worker is past the point where it would have run.
        assert client.post(f"/send/{name}-after/1").status_code == 200
    wait_until(lambda: executions(database, f"{name}-after"), "the later task running")
    assert executions(database, name) == executions(database, f"{name}-after")
    assert "not sending 1 queued task(s)" in caplog.text
    assert f"record('{name}')" in caplog.text


def test_a_row_the_request_finalizer_committed_is_visible_to_the_worker(
    site: str, worker: Worker, database: Path
) -> None:
    """Sent after the session's finalizer committed: the worker sees the request's row."""
    name = label()
    with httpx.Client(base_url=site) as client:
        row = client.post(f"/rows/{name}").json()["row"]
    done = wait_until(lambda: executions(database, name), "the task reading the row")
    assert [detail for _, _, _, detail, _ in done] == ["seen=1"]
    assert rows(database, "select label from rows where id = ?", row) == [(name,)]


def test_a_retry_runs_in_a_fresh_request_scope(worker: Worker, database: Path) -> None:
    """task.retry(): the second execution gets a new request scope (a new session)."""
    name = label()
    tasks_module.retried.delay(name)
    runs = wait_until(
        lambda: (
            len(
                found := rows(
                    database,
                    "select detail from journal where event = 'retried-run' and detail like ?",
                    name + "%",
                )
            )
            == 2
            and found
        ),
        "both executions",
    )
    (first,), (second,) = runs
    assert "retries=0" in first and "retries=1" in second
    assert first.split("session=")[1] != second.split("session=")[1]


# --- the response path -------------------------------------------------------------------


# The client times the requests from a process of its own: in the server's process its
# thread would wait for the interpreter lock while the send thread runs, which a real
# client never does.  Requests with and without a task interleave, so a change in the
# machine's load hits both; 20 ms apart, then back to back.
TIMING_CLIENT = """
import json, statistics, sys, time
import httpx
url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

def timed(client, path):
    start = time.perf_counter()
    assert client.get(path).status_code == 200
    return time.perf_counter() - start

result = {}
with httpx.Client(base_url=url) as client:
    for _ in range(5):  # warm up both paths (the first send connects to Redis)
        timed(client, f"/send/{name}w/1")
    for pause in (0.02, 0):
        without, sent = [], []
        for _ in range(count):
            without.append(timed(client, f"/send/{name}n/0"))
            time.sleep(pause)
            sent.append(timed(client, f"/send/{name}s{pause}/1"))
            time.sleep(pause)
        result[pause] = [
            statistics.median(without), statistics.median(sent), min(without), min(sent)
        ]
print(json.dumps(result))
"""


def test_the_client_has_the_response_before_the_task_is_sent(
    site: str, worker: Worker, database: Path
) -> None:
    """The send waits for the request's in-process tasks, which wait for this test: the
    client holds the whole response while nothing has been sent, and the task runs once
    the request is let go."""
    name = label()
    HOLD_SENDS.clear()
    try:
        response = httpx.post(f"{site}/held/{name}", timeout=WAIT)
        assert response.json() == {"queued": name}
        time.sleep(0.5)  # time enough for a send that was not held to reach the worker
        assert executions(database, name) == []
    finally:
        HOLD_SENDS.set()
    wait_until(lambda: len(executions(database, name)) == 1, "the held task")


def test_sends_from_many_requests_all_run_and_their_cost_is_reported(
    site: str, worker: Worker, database: Path
) -> None:
    """Requests with and without a send, back to back and spaced: every sent task runs.
    The response times and add_task's own cost are printed (measured, not asserted)."""
    name, count = label(), 60
    output = subprocess.run(
        [sys.executable, "-c", TIMING_CLIENT, site, name, str(count)],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=True,
    ).stdout
    timings = {float(pause): numbers for pause, numbers in json.loads(output).items()}
    for pause, (base, sent, base_min, sent_min) in timings.items():
        print(
            f"\n[celery] response ({'20 ms apart' if pause else 'back to back'}, {count} "
            f"requests each): median without a task {base * 1000:.2f} ms, with one sent "
            f"{sent * 1000:.2f} ms (added {(sent - base) * 1000:.2f} ms); fastest "
            f"{base_min * 1000:.2f} / {sent_min * 1000:.2f} ms "
            f"(added {(sent_min - base_min) * 1000:.2f} ms)"
        )
    wait_until(lambda: len(executions(database, f"{name}s")) == 2 * count, "the sent tasks")
    # What the handler itself spends: add_task's checks (importable, parameters, JSON).
    calls = 500
    with container.request() as scope:
        queue = scope.background_tasks
        start = time.perf_counter()
        for _ in range(calls):
            queue.add_task(record, "never sent")
        spent = (time.perf_counter() - start) / calls
        queue._outbox.sends.clear()  # nothing to send: this only timed add_task
    print(f"[celery] add_task of a Celery task: {spent * 1e6:.1f} us in the handler")


def test_the_response_does_not_wait_for_a_broker_that_is_down(
    site: str, worker: Worker, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Broker unreachable: the response comes at once; the send fails later, logged and
    handed to the hook (an outbox), from which it is replayed and runs: nothing lost."""
    name = label()
    tasks_module.offline_outbox.clear()
    with caplog.at_level(logging.ERROR, "injectkit"), httpx.Client(base_url=site) as client:
        start = time.perf_counter()
        assert client.post(f"/offline/{name}").status_code == 200
        answered = time.perf_counter() - start
        wait_until(lambda: tasks_module.offline_outbox, "the failed send reaching the hook")
        failed = time.perf_counter() - start
    assert answered < failed
    print(
        f"\n[celery] broker down: response after {answered * 1000:.1f} ms, "
        f"send given up after {failed * 1000:.1f} ms"
    )
    assert f"task {record_offline.name}('{name}') was not sent to its queue" in caplog.text
    assert tasks_module.offline_outbox == [(record_offline.name, (name,), {})]
    # Replayed from the outbox to the live broker, the task runs.
    for _, args, kwargs in tasks_module.offline_outbox:
        celery_app.send_task(record.name, args, kwargs)
    wait_until(lambda: executions(database, name), "the replayed task running")


# --- mistakes caught in add_task -----------------------------------------------------------


def queue_in_a_request(task: Any, *args: Any, **kwargs: Any) -> None:
    with container.request() as scope:
        scope.background_tasks.add_task(task, *args, **kwargs)


def test_arguments_the_serializer_cannot_encode_fail_in_add_task(broker: str) -> None:
    """An argument JSON cannot carry: an InjectionError at add_task, nothing sent."""
    with pytest.raises(InjectionError, match=r"serializer \(json\) cannot encode") as error:
        queue_in_a_request(record, object())
    assert "load the rest in the task" in str(error.value)


def test_a_parameter_the_task_does_not_have_fails_in_add_task(broker: str) -> None:
    """An unknown keyword, or a value for an injected parameter: the call's own errors."""
    with pytest.raises(InjectionError, match="unexpected keyword argument"):
        queue_in_a_request(record, "x", colour="red")
    with pytest.raises(InjectionError, match="session is injected"):
        queue_in_a_request(record, "x", session=None)
    with pytest.raises(InjectionError, match=r"needs a\s+value for label"):
        queue_in_a_request(record)


def test_a_task_the_worker_cannot_import_fails_in_add_task(broker: str) -> None:
    """A task defined inside a function: the worker could never find it by name."""

    @inject(celery_app)
    def local_task(label: str, info: TaskInfo) -> None:
        """Defined in a function: not importable."""

    with pytest.raises(InjectionError, match=r"cannot\s+be found by the worker"):
        queue_in_a_request(local_task, "x")


# --- the worker's life ---------------------------------------------------------------------


def test_a_task_interrupted_by_a_killed_worker_runs_again_on_the_next_worker(
    broker: str, database: Path, tmp_path: Path
) -> None:
    """SIGKILL mid-task (acks_late): the restarted worker gets the same task id again."""
    name = label()
    first = start_worker(broker, database, KILL_QUEUE, tmp_path / "first.log")
    try:
        queue_in_a_request(interrupted, name)
        started = wait_until(
            lambda: rows(
                database,
                "select detail from journal where event = 'started' and detail like ?",
                name + "%",
            ),
            "the task starting",
        )
    finally:
        first.kill()
    killed_at = time.monotonic()
    second = start_worker(broker, database, KILL_QUEUE, tmp_path / "second.log")
    try:
        done = wait_until(lambda: executions(database, name), "the task running again")
        redelivered_after = time.monotonic() - killed_at
    finally:
        second.stop()
    ((_, task_id, pid, detail, _),) = done
    assert started == [(f"{name} {task_id}",)]
    assert pid == second.pid and detail == "redelivered=True"
    print(
        f"\n[celery] killed worker: the next one re-ran the task {redelivered_after:.1f} s "
        "after the kill"
    )


def test_a_prefork_child_killed_mid_task_is_replaced_and_the_task_runs_again(
    broker: str, database: Path, tmp_path: Path
) -> None:
    """Prefork: SIGKILL of the child running a task; reject_on_worker_lost requeues it."""
    name = label()
    worker = start_worker(broker, database, KILL_QUEUE, tmp_path / "prefork.log", pool="prefork")
    try:
        queue_in_a_request(interrupted, name)
        ((child,),) = wait_until(
            lambda: rows(
                database,
                "select pid from journal where event = 'started' and detail like ?",
                name + "%",
            ),
            "the task starting in a child process",
        )
        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()
        done = wait_until(lambda: executions(database, name), "the task running again")
        rerun_after = time.monotonic() - killed_at
    finally:
        assert worker.stop() == 0
    ((_, _, pid, _, _),) = done
    assert pid not in (child, worker.pid)  # a new child of the same worker
    # Each child closed its own app scope when it ended (worker_process_shutdown).
    closed = rows(database, "select pid from journal where event = 'app-closed' and pid = ?", pid)
    assert closed == [(pid,)]
    print(f"\n[celery] prefork child killed: the task ran again {rerun_after:.1f} s after")


def test_worker_shutdown_closes_its_app_scope(broker: str, database: Path, tmp_path: Path) -> None:
    """A warm shutdown runs the app-scoped finalizers of the worker process."""
    worker = start_worker(broker, database, KILL_QUEUE, tmp_path / "worker.log")
    try:
        name = label()
        record.apply_async((name,), queue=KILL_QUEUE)  # it needs the app-scoped Worker
        wait_until(lambda: executions(database, name), "the task running")
    finally:
        code = worker.stop()
    assert code == 0
    events = rows(database, "select event from journal where pid = ?", worker.pid)
    assert ("app-open",) in events
    assert events[-1] == ("app-closed",)


def test_a_worker_with_a_wrong_graph_does_not_start(broker: str, tmp_path: Path) -> None:
    """Every injected task is validated at worker start: a missing provider stops it."""
    log = tmp_path / "broken.log"
    with log.open("wb") as output:
        process = subprocess.run(
            worker_command(f"{BROKEN_APP_MODULE}:celery_app"),
            cwd=IMPORT_ROOT,
            env={**os.environ, "INJECTKIT_TEST_BROKER": broker, "PYTHONPATH": str(IMPORT_ROOT)},
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=WAIT,
        )
    text = log.read_text()
    assert process.returncode != 0
    assert "the worker does not start" in text
    assert "`Mailer` is not registered in the container" in " ".join(text.split())
    assert " ready." not in text
