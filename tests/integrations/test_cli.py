"""The command-line adapters (Click and Typer): a request scope per command invocation,
driven through each framework's CliRunner, and real ``python -m`` runs of the examples.

Most tests run for both frameworks (the ``framework`` parameter): the same command
function, declared to Click with ``@click.option`` and to Typer by its signature.
"""

import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import click
import click.testing
import pytest
import typer
import typer.testing

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.integrations import click as click_adapter
from injectkit.integrations import typer as typer_adapter

from . import _scenarios as scenarios
from .conftest import ROOT, load_example

FRAMEWORKS = ["click", "typer"]


class Session:
    """A request-scoped resource whose finalizer the tests watch."""


class Pool:
    """An app-scoped resource: closed when the command line is done."""


def recording_container(events: list[str]) -> Container:
    """Session (request scope) and Pool (app scope), each recording when it closes."""
    container = Container()

    @container.provider(scope="app")
    def pool() -> Iterator[Pool]:
        yield Pool()
        events.append("app finalizer")

    @container.provider
    def session() -> Iterator[Session]:
        try:
            yield Session()
        except Exception as exc:
            events.append(f"finalizer saw {type(exc).__name__}")
            raise
        events.append("request finalizer")

    return container


Invoke = Callable[[list[str]], Any]


def one_command_cli(
    framework: str,
    func: Callable[..., Any],
    container: Container,
    *,
    options: tuple[str, ...] = (),
    backend: str = "asyncio",
) -> Invoke:
    """A command line of one command running ``func``; Click declares ``options`` as
    ``--name`` options, Typer reads them from the signature.  Returns an invoker."""
    if framework == "click":
        command: Any = click_adapter.inject(func)
        for name in options:
            command = click.option(f"--{name}")(command)
        cli = click.command()(command)
        click_adapter.setup(cli, container, async_backend=backend)
        return lambda args: click.testing.CliRunner().invoke(cli, args)
    app = typer.Typer()
    app.command()(typer_adapter.inject(func))
    typer_adapter.setup(app, container, async_backend=backend)
    return lambda args: typer.testing.CliRunner().invoke(app, args)


def email_args(framework: str, email: str) -> list[str]:
    """``email`` on the command line: a Click ``--email`` option, Typer's argument (a
    parameter without a default)."""
    return ["--email", email] if framework == "click" else [email]


# --- one invocation -------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_command_then_tasks_then_request_finalizer_then_app_finalizer(framework: str) -> None:
    """The command's work, then its tasks in order, then the request's finalizer; the app
    scope closes when the command line is done."""
    events: list[str] = []

    def notify(email: str, tasks: BackgroundTasks, session: Session, pool: Pool) -> None:
        tasks.add_task(events.append, f"task for {email}")
        tasks.add_task(events.append, "second task")
        events.append("command")
        click.echo(f"sent to {email}")

    invoke = one_command_cli(framework, notify, recording_container(events), options=("email",))
    result = invoke(email_args(framework, "a@b.c"))
    assert result.exit_code == 0, result.output
    assert result.output == "sent to a@b.c\n"
    assert events == [
        "command",
        "task for a@b.c",
        "second task",
        "request finalizer",
        "app finalizer",
    ]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_async_command_runs_on_the_chosen_backend(framework: str, anyio_backend: str) -> None:
    """An ``async def`` command, async provider and async task run with ``anyio.run`` on
    the backend ``setup`` names; same order: command, task, finalizers."""
    import sniffio

    events: list[str] = []
    container = recording_container(events)

    async def resource() -> AsyncIterator[str]:
        yield sniffio.current_async_library()
        events.append("async finalizer")

    async def task(name: str) -> None:
        events.append(f"async task on {sniffio.current_async_library()} for {name}")

    async def notify(
        email: str, tasks: BackgroundTasks, library: Annotated[str, Depends(resource)]
    ) -> None:
        tasks.add_task(task, email)
        events.append(f"command on {library}")

    invoke = one_command_cli(
        framework, notify, container, options=("email",), backend=anyio_backend
    )
    result = invoke(email_args(framework, "a@b.c"))
    assert result.exit_code == 0, result.output
    assert events == [
        f"command on {anyio_backend}",
        f"async task on {anyio_backend} for a@b.c",
        "async finalizer",
    ]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_invocation_has_its_own_request_scope(framework: str) -> None:
    """Two invocations: two sessions, each closed; the app scope closes after each
    command line and opens again for the next."""
    events: list[str] = []
    seen: list[int] = []

    def show(session: Session, pool: Pool) -> None:
        seen.append(id(session))

    invoke = one_command_cli(framework, show, recording_container(events))
    assert invoke([]).exit_code == 0
    assert invoke([]).exit_code == 0
    assert events == ["request finalizer", "app finalizer"] * 2
    assert len(seen) == 2


# --- the command line shows free parameters only ----------------------------------------------


def test_typer_shows_only_free_parameters_of_the_command_and_its_dependencies() -> None:
    """Typer's options and arguments are the free parameters (the command's and its
    dependencies', with Typer's own ``Annotated`` metadata); injected ones are hidden."""
    events: list[str] = []

    def loud(shout: bool = False) -> bool:
        return shout

    def greet(
        name: Annotated[str, typer.Argument(help="Who to greet.")],
        session: Session,
        tasks: BackgroundTasks,
        ctx: typer.Context,
        shouting: Annotated[bool, Depends(loud)],
        times: int = 1,
    ) -> None:
        text = f"hello {name} ({ctx.info_name})"
        click.echo((text.upper() if shouting else text) * times)

    invoke = one_command_cli("typer", greet, recording_container(events))
    help_text = invoke(["--help"]).output
    for shown in ("{name}", "Who to greet.", "--times", "--shout"):
        assert shown in help_text
    for hidden in ("session", "tasks", "ctx", "shouting", "injectkit"):
        assert hidden not in help_text.lower()
    result = invoke(["ada", "--shout", "--times", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.count("HELLO ADA") == 2
    refused = invoke(["ada", "--session", "x"])
    assert refused.exit_code == 2
    assert "No such option" in refused.output


def test_click_option_named_like_no_free_parameter_is_refused_at_setup() -> None:
    """A Click option that no free parameter reads, and a required free parameter no
    option fills, are InjectionErrors at ``setup`` naming the command and the fix."""

    def count(session: Session, limit: int) -> None: ...

    command = click.option("--session")(click_adapter.inject(count))
    cli = click.command("count")(command)
    with pytest.raises(InjectionError) as raised:
        click_adapter.setup(cli, recording_container([]))
    text = str(raised.value)
    assert "The command 'count' has the option or argument 'session'" in text
    assert "Parameter 'limit: int' of count is not injected" in text
    assert "add an option or argument named 'limit'" in text


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_command_error_exits_non_zero_finalizers_see_it_tasks_dropped(framework: str) -> None:
    """A command that raises: a non-zero exit, the finalizers see the error (the app's
    run too), the tasks are dropped."""
    events: list[str] = []

    def fail(tasks: BackgroundTasks, session: Session, pool: Pool) -> None:
        tasks.add_task(events.append, "dropped task")
        raise RuntimeError("the command failed")

    result = one_command_cli(framework, fail, recording_container(events))([])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert events == ["finalizer saw RuntimeError", "app finalizer"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_broken_graph_is_refused_by_setup_before_anything_runs(framework: str) -> None:
    """An unregistered type in a command's graph: ``setup`` raises the InjectionError
    naming the chain; no provider ran."""
    events: list[str] = []

    class Mailer:
        pass

    def make_sender(mailer: Mailer, session: Session) -> str:
        events.append("provider ran")
        return "sender"

    def send(sender: Annotated[str, Depends(make_sender)]) -> None:
        events.append("command ran")

    with pytest.raises(InjectionError) as raised:
        one_command_cli(framework, send, recording_container(events))
    assert "`Mailer` is not registered in the container" in " ".join(str(raised.value).split())
    assert "send -> make_sender" in str(raised.value)
    assert events == []


def test_get_scope_is_the_running_commands_scope_and_refused_outside() -> None:
    """``get_scope()`` in an injected command is its scope; outside one, an InjectionError."""
    seen: list[bool] = []

    def show(session: Session) -> None:
        seen.append(click_adapter.get_scope().resolve_sync(Session) is session)

    assert one_command_cli("click", show, recording_container([]))([]).exit_code == 0
    assert seen == [True]
    with pytest.raises(InjectionError, match="needs an injected command running"):
        typer_adapter.get_scope()


# --- the seed's examples --------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed_examples_write_the_log_after_the_command(framework: str, tmp_path: Path) -> None:
    """examples/<framework>/tutorial001.py and tutorial002.py through the CliRunner: the
    command's message, then the tasks' lines (the sub-dependency's first), then the
    finalizer."""
    runner = click.testing.CliRunner() if framework == "click" else typer.testing.CliRunner()
    first = load_example(f"{framework}/tutorial001.py")
    second = load_example(f"{framework}/tutorial002.py")
    log1, log2 = tmp_path / "one.txt", tmp_path / "two.txt"
    result = runner.invoke(first.create_cli(first.Settings(log1)), ["a@b.c"])
    assert result.output.splitlines() == [
        "Notification sent in the background",
        "task: wrote the notification for a@b.c",
    ]
    assert log1.read_text() == "notification for a@b.c: some notification"
    cli = second.create_cli(second.Settings(log2))
    result = runner.invoke(cli, ["a@b.c", "--q", "x"])
    assert result.output.splitlines() == [
        "Message sent",
        "task: found query: x",
        "task: message to a@b.c",
        "finalizer: log file closed",
    ]
    runner.invoke(cli, ["c@d.e"])
    assert log2.read_text() == "found query: x\nmessage to a@b.c\nmessage to c@d.e\n"


def run_program(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python args...`` in ``cwd`` with the repository importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_python_m_example_prints_command_then_tasks_then_finalizer(
    framework: str, tmp_path: Path
) -> None:
    """``python -m examples.<framework>.tutorial002`` in a real process: the command's
    output, then the tasks', then the finalizer's; log.txt written."""
    done = run_program(
        ["-m", f"examples.{framework}.tutorial002", "ada@b.c", "--q", "hi"], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Message sent",
        "task: found query: hi",
        "task: message to ada@b.c",
        "finalizer: log file closed",
    ]
    assert (tmp_path / "log.txt").read_text() == "found query: hi\nmessage to ada@b.c\n"


FAILING_CLI = """
    from collections.abc import Iterator

    import click

    from injectkit import BackgroundTasks, Container
    from injectkit.integrations.click import inject, setup

    class Session:
        pass

    container = Container()

    @container.provider
    def session() -> Iterator[Session]:
        try:
            yield Session()
        finally:
            print("finalizer ran", flush=True)

    @click.command()
    @inject
    def fail(session: Session, tasks: BackgroundTasks) -> None:
        tasks.add_task(print, "task ran")
        print("command ran", flush=True)
        raise RuntimeError("the command failed")

    setup(fail, container)
    fail()
"""


def test_python_program_with_a_failing_command_exits_non_zero_after_its_finalizer(
    tmp_path: Path,
) -> None:
    """A real process whose command raises: the finalizer runs, no task, exit status 1."""
    (tmp_path / "cli.py").write_text(textwrap.dedent(FAILING_CLI))
    done = run_program(["cli.py"], tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["command ran", "finalizer ran"]
    assert "RuntimeError: the command failed" in done.stderr


def test_python_program_with_a_broken_graph_stops_before_anything_runs(tmp_path: Path) -> None:
    """A real process whose command needs an unregistered type: the InjectionError's
    message, exit status 1, and nothing of the command ran."""
    broken = FAILING_CLI.replace("    @container.provider\n", "    # not registered\n")
    (tmp_path / "cli.py").write_text(textwrap.dedent(broken))
    done = run_program(["cli.py"], tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "injectkit.UnresolvableDependencyError" in done.stderr
    assert "`Session` is not registered in the container" in " ".join(done.stderr.split())


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_importing_the_adapter_without_its_framework_names_the_extra(framework: str) -> None:
    """Without Click (Typer) installed, the ImportError says which extra to install."""
    name = "Click" if framework == "click" else "Typer"
    assert scenarios.import_error_without(framework, framework) == (
        f"injectkit.integrations.{framework} needs {name}, which is not installed: "
        f'python -m pip install "./injectkit[{framework}]" (from the directory holding your '
        f'clone of injectkit; pip install "injectkit[{framework}]" once it is on PyPI)'
    )
