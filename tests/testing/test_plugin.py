"""The pytest plugin, run on test files written into a scratch directory by ``pytester``."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

RunPytest = Callable[..., pytest.RunResult]  # the run_pytest fixture of conftest.py

DOCS_PROJECT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "testing"

# A small app every test below starts from; its container is handed to the plugin.
APP = """
from typing import Annotated, AsyncIterator, Iterator

from injectkit import BackgroundTasks, Container, Depends

container = Container()
events = []


class Settings:
    def __init__(self, name="real"):
        self.name = name


class Session:
    def __init__(self, settings):
        self.settings = settings
        self.closed = False


@container.provider(scope="app")
def settings() -> Iterator[Settings]:
    made = Settings()
    events.append("settings built")
    yield made
    events.append("settings closed")
    with open("app-finalizers.txt", "a") as f:
        f.write("settings closed\\n")


@container.provider
async def session(settings: Settings) -> AsyncIterator[Session]:
    made = Session(settings)
    try:
        yield made
    finally:
        made.closed = True
        events.append("session closed")


def note(message):
    events.append(message)


def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        tasks.add_task(note, f"query {q}")
    return q


@container.inject
async def handler(
    tasks: BackgroundTasks, db: Session, q: Annotated[str | None, Depends(get_query)]
) -> Session:
    tasks.add_task(note, "handled")
    return db


@container.inject
def sync_handler(settings: Settings, tasks: BackgroundTasks) -> str:
    tasks.add_task(note, "sync handled")
    return settings.name
"""

CONFTEST = """
import pytest

from app import container


@pytest.fixture(scope="session")
def injectkit_container():
    return container


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A scratch directory with app.py and a conftest.py pointing the plugin at it."""
    pytester.makepyfile(app=APP)
    pytester.makeconftest(CONFTEST)
    return pytester


def test_docs_example_captures_both_tasks_without_writing_the_log(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """docs/testing.md's tutorial002 test passes on asyncio and trio and writes no log.txt."""
    for name in ("app.py", "conftest.py", "test_app.py"):
        shutil.copy(DOCS_PROJECT / name, pytester.path / name)
    result = run_pytest("-v", subprocess=True)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*[[]asyncio[]] PASSED*", "*[[]trio[]] PASSED*"])
    assert not (pytester.path / "log.txt").exists()


def test_docs_override_examples_pass(pytester: pytest.Pytester, run_pytest: RunPytest) -> None:
    """docs/testing.md's marker and fixture examples pass and leave no override behind."""
    for path in DOCS_PROJECT.glob("*.py"):
        shutil.copy(path, pytester.path / path.name)
    run_pytest(subprocess=True).assert_outcomes(passed=6)
    assert not (pytester.path / "log.txt").exists()


def test_without_capture_the_docs_example_writes_the_log(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """Control: the same handler, run without injectkit_tasks, does write both lines."""
    for name in ("app.py", "conftest.py"):
        shutil.copy(DOCS_PROJECT / name, pytester.path / name)
    pytester.makepyfile(
        test_in_runs="""
        import pytest
        from app import send_notification

        @pytest.mark.anyio
        async def test_runs(anyio_backend):
            await send_notification("a@b.c", q="x")
        """
    )
    run_pytest("-k", "asyncio", subprocess=True).assert_outcomes(passed=1)
    assert (pytester.path / "log.txt").read_text() == "found query: x\nmessage to a@b.c\n"


def test_request_scope_is_the_test_body(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """Injected calls join the test's scope; it closes (tasks, finalizers) when the body ends."""
    project.makepyfile(
        test_in_scope="""
        import pytest
        from app import Session, events, handler

        @pytest.mark.anyio
        async def test_calls_share_the_request(injectkit_scope):
            before = events.count("handled")
            first = await handler()
            assert await handler() is first
            assert await injectkit_scope.resolve(Session) is first
            assert not first.closed
            assert events.count("handled") == before  # tasks wait for the request's end

        def test_then_tasks_and_finalizers_ran():
            assert events.count("handled") == 4  # two per backend
            assert events.count("session closed") == 2
        """
    )
    run_pytest().assert_outcomes(passed=3)


def test_sync_tests_get_a_sync_scope(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """A plain def test gets a sync request scope; sync injected calls join it."""
    project.makepyfile(
        test_in_sync="""
        from app import Settings, events, sync_handler

        def test_sync(injectkit_scope, injectkit_tasks):
            assert sync_handler() == "real"
            assert injectkit_scope.resolve_sync(Settings).name == "real"
            assert [t.args for t in injectkit_tasks] == [("sync handled",)]
        """
    )
    run_pytest().assert_outcomes(passed=1)


def test_tasks_run_by_default_and_are_captured_on_request(
    project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """With injectkit_scope alone tasks run after the body; injectkit_tasks keeps them."""
    project.makepyfile(
        test_in_tasks="""
        import pytest
        from app import events, handler, note
        from injectkit.testing import queued

        pytestmark = pytest.mark.anyio

        async def test_a_captured(injectkit_tasks, anyio_backend):
            await handler(q="x")
            assert injectkit_tasks == [queued(note, "query x"), queued(note, "handled")]

        def test_b_nothing_ran():
            assert "handled" not in events

        async def test_c_run(injectkit_scope, anyio_backend):
            await handler()

        def test_d_ran():
            assert events.count("handled") == 2
        """
    )
    run_pytest().assert_outcomes(passed=6)


def test_recorder_fixture(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """injectkit_recorder lists providers and finalizers of the test's request."""
    project.makepyfile(
        test_in_recorder="""
        import pytest
        from app import handler

        @pytest.mark.anyio
        async def test_recorded(injectkit_recorder, injectkit_tasks):
            await handler(q="x")
            assert injectkit_recorder.providers == ["session", "get_query"]
            assert [t.args for t in injectkit_recorder.tasks] == [("query x",), ("handled",)]
            assert injectkit_recorder.tasks is injectkit_tasks
        """
    )
    run_pytest().assert_outcomes(passed=2)


def test_override_marker(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """The marker overrides for one test (closest marker wins) and is undone after it."""
    project.makepyfile(
        test_in_marker="""
        import pytest
        from app import Settings, handler, sync_handler

        @pytest.mark.injectkit_overrides({Settings: Settings("fake")})
        def test_overridden():
            assert sync_handler() == "fake"

        def test_not_overridden():
            assert sync_handler() == "real"

        @pytest.mark.injectkit_overrides({Settings: Settings("class")})
        class TestClass:
            def test_from_class(self):
                assert sync_handler() == "class"

            @pytest.mark.injectkit_overrides({Settings: Settings("method")})
            def test_closest_wins(self):
                assert sync_handler() == "method"

        @pytest.mark.anyio
        @pytest.mark.injectkit_overrides({Settings: Settings("local")}, local=True)
        async def test_local(anyio_backend):
            assert (await handler()).settings.name == "local"
        """
    )
    run_pytest().assert_outcomes(passed=6)


def test_override_marker_misuse_is_a_usage_error(
    project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """A marker without a mapping fails the test with a message that shows the right form."""
    project.makepyfile(
        test_in_bad="""
        import pytest
        from app import Settings

        @pytest.mark.injectkit_overrides(Settings, Settings("x"))
        def test_bad():
            pass
        """
    )
    result = run_pytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*takes one mapping of target to replacement*"])


def test_override_fixture(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """injectkit_override(target, replacement) lasts until the end of the test."""
    project.makepyfile(
        test_in_fixture="""
        from app import Settings, sync_handler

        def test_overridden(injectkit_override):
            injectkit_override(Settings, Settings("fixture"))
            assert sync_handler() == "fixture"

        def test_after():
            assert sync_handler() == "real"
        """
    )
    run_pytest().assert_outcomes(passed=2)


def test_app_scope_lives_for_the_session_by_default(
    project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """App singletons are shared by every test and finalized once, at the session's end."""
    project.makepyfile(
        test_in_app="""
        from app import Settings, events

        seen = []

        def test_one(injectkit_scope):
            seen.append(injectkit_scope.resolve_sync(Settings))

        def test_two(injectkit_scope):
            seen.append(injectkit_scope.resolve_sync(Settings))
            assert seen[0] is seen[1]
            assert "settings closed" not in events
        """
    )
    run_pytest().assert_outcomes(passed=2)
    assert (project.path / "app-finalizers.txt").read_text() == "settings closed\n"


def test_app_scope_follows_the_ini_option(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """injectkit_app_scope = function gives each test its own singletons, closed after it."""
    project.makeini("[pytest]\ninjectkit_app_scope = function\n")
    project.makepyfile(
        test_in_app="""
        from app import Settings

        seen = []

        def test_one(injectkit_scope):
            seen.append(injectkit_scope.resolve_sync(Settings))

        def test_two(injectkit_scope):
            seen.append(injectkit_scope.resolve_sync(Settings))
            assert seen[0] is not seen[1]
            with open("app-finalizers.txt") as f:
                assert f.read() == "settings closed\\n"
        """
    )
    run_pytest().assert_outcomes(passed=2)
    assert (project.path / "app-finalizers.txt").read_text() == "settings closed\n" * 2


def test_bad_app_scope_option(project: pytest.Pytester, run_pytest: RunPytest) -> None:
    """An unknown injectkit_app_scope names the accepted values."""
    project.makeini("[pytest]\ninjectkit_app_scope = forever\n")
    project.makepyfile(test_in_x="def test_x(injectkit_app):\n    pass\n")
    result = run_pytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*injectkit_app_scope = 'forever' is not a pytest scope*"])


def test_failing_test_drops_tasks_and_reports_its_own_error(
    project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """A test that raises fails with its own error; its request's tasks are dropped."""
    project.makepyfile(
        test_in_fail="""
        import pytest
        from app import events, handler

        @pytest.mark.anyio
        async def test_fails(injectkit_scope, anyio_backend):
            await handler()
            raise AssertionError("the test's own failure")

        def test_after():
            assert "handled" not in events
            assert events.count("session closed") == 2  # finalizers still ran
        """
    )
    result = run_pytest()
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the test's own failure*"])


def test_default_container_is_injectkits(pytester: pytest.Pytester, run_pytest: RunPytest) -> None:
    """Without an injectkit_container fixture the plugin uses injectkit.default_container."""
    pytester.makepyfile(
        test_in_default="""
        import pytest
        from injectkit import BackgroundTasks, inject, default_container
        from injectkit.testing import queued

        written = []

        def write(line):  # a task that ran would be seen here (a failing one is only logged)
            written.append(line)

        @inject
        async def handler(tasks: BackgroundTasks) -> None:
            tasks.add_task(write, "x")

        def test_container(injectkit_container):
            assert injectkit_container is default_container

        @pytest.mark.anyio
        async def test_tasks(injectkit_tasks):
            await handler()
            assert injectkit_tasks == [queued(write, "x")]

        def test_z_captured_tasks_never_ran():
            assert written == []
        """
    )
    run_pytest(subprocess=True).assert_outcomes(passed=4)


def test_fixtures_are_listed_with_their_docs(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """`pytest --fixtures` shows the plugin's fixtures with a line of help each."""
    result = run_pytest("--fixtures")
    result.stdout.fnmatch_lines(
        [
            "*injectkit_container*",
            "*The container under test*",
        ]
    )
    for name in ("injectkit_app", "injectkit_scope", "injectkit_tasks", "injectkit_recorder"):
        assert any(line.startswith(name) for line in result.stdout.lines), name


def test_hypothesis_tests_get_a_clear_message(
    project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """A @given test asking for the request fixtures fails with a message saying what to do."""
    pytest.importorskip("hypothesis")
    project.makepyfile(
        test_in_hyp=textwrap.dedent(
            """
            from hypothesis import HealthCheck, given, settings, strategies as st

            @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
            @given(st.integers())
            def test_prop(injectkit_scope, n):
                pass
            """
        )
    )
    result = run_pytest(disable=("faker",))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*do not work with hypothesis*"])


def test_tasks_of_a_request_through_the_starlette_adapter_are_captured(
    pytester: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """injectkit_tasks captures what a request made through the Starlette adapter queued."""
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    pytester.makepyfile(
        test_in_starlette="""
        import httpx
        import pytest
        from starlette.applications import Starlette
        from starlette.routing import Route

        from injectkit import BackgroundTasks, Container
        from injectkit.integrations.starlette import inject, setup
        from injectkit.testing import queued

        container = Container()

        written = []

        def write_log(message):  # a task that ran would be seen here
            written.append(message)

        @inject
        async def notify(email: str, tasks: BackgroundTasks) -> dict:
            tasks.add_task(write_log, f"message to {email}")
            return {"ok": True}

        app = Starlette(routes=[Route("/notify/{email}", notify, methods=["POST"])])
        setup(app, container)

        @pytest.fixture(scope="session")
        def injectkit_container():
            return container

        @pytest.mark.anyio
        async def test_notify(injectkit_tasks):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.post("/notify/a@b.c")
            assert response.json() == {"ok": True}
            assert injectkit_tasks == [queued(write_log, "message to a@b.c")]

        def test_z_captured_tasks_never_ran():
            assert written == []
        """
    )
    run_pytest().assert_outcomes(passed=3)
