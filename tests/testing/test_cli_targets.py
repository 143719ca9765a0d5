"""``python -m injectkit``: an adapter's route is solved in its app's container, a type
registered elsewhere suggests ``--container``, an object that is no function is refused,
and Mermaid names registered nodes by their type and colours scopes."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from injectkit._cli import main

DEPS = """
from injectkit import Container


class DbSession:
    pass


container = Container()


@container.provider
def db() -> DbSession:
    return DbSession()
"""

ROUTES = """
from fastapi import FastAPI

from injectkit.integrations.fastapi import FromContainer, inject, setup

from cli_deps import DbSession, container

app = FastAPI()


@app.get("/user")
@inject
async def user(name: str, db: FromContainer[DbSession]) -> str:
    return name


setup(app, container)
"""

ELSEWHERE = """
from injectkit import Container
from injectkit.integrations.fastapi import FromContainer, inject

import cli_deps


class Unknown:
    pass


local = Container()


@inject
async def user(name: str, db: FromContainer[cli_deps.DbSession]) -> str:
    return name


@inject
async def lost(thing: FromContainer[Unknown]) -> None:
    pass
"""

SET_UP = """
from fastapi import FastAPI

from injectkit import Container
from injectkit.integrations.fastapi import FromContainer, inject, setup

import cli_deps

unrelated = Container()  # a second container in the module: the app's is found anyway
app = FastAPI()


@app.get("/user")
@inject
async def user(db: FromContainer[cli_deps.DbSession]) -> str:
    return "ok"


setup(app, cli_deps.container)
"""

MODULES = {
    "cli_deps": DEPS,
    "cli_routes": ROUTES,
    "cli_elsewhere": ELSEWHERE,
    "cli_set_up": SET_UP,
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The modules above on sys.path, forgotten after the test."""
    for name, source in MODULES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield
    for name in MODULES:
        sys.modules.pop(name, None)


def flat(text: str) -> str:
    """``text`` with its line breaks and indentation read as single spaces."""
    return " ".join(text.split())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.usefixtures("project")
def test_adapter_route_is_solved_in_the_container_its_module_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A route made by an adapter's inject is shown in its app's container, not the default."""
    status, out, err = run(capsys, "graph", "cli_routes:user")
    assert (status, err) == (0, "")
    assert out.splitlines()[:3] == ["user", "    name <- name (from the framework)", "    db <- db"]
    assert "db (from the call)" not in out


@pytest.mark.usefixtures("project")
def test_adapter_route_is_solved_in_the_container_its_app_was_set_up_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A module with two containers: the one setup(app, container) gave the route's app."""
    status, out, err = run(capsys, "graph", "cli_set_up:user")
    assert (status, err) == (0, "")
    assert out.splitlines()[:2] == ["user", "    db <- db"]


@pytest.mark.usefixtures("project")
def test_type_registered_in_another_container_suggests_that_container(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A route whose type only another loaded container registers names it for --container."""
    __import__("cli_routes")  # loads cli_deps.container, as the app's modules would
    status, out, err = run(capsys, "explain", "cli_elsewhere:user")
    assert (status, out) == (1, "")
    assert "`DbSession` is not registered in the\ncontainer" in err
    assert err.splitlines()[-2:] == [
        "  --container: it is registered in cli_deps:container:",
        " " * 15
        + "`python -m injectkit explain cli_elsewhere:user --container cli_deps:container`",
    ]


@pytest.mark.usefixtures("project")
def test_type_registered_nowhere_says_to_pass_the_container(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A type no loaded container registers: the error says to pass --container."""
    status, _, err = run(capsys, "graph", "cli_elsewhere:lost")
    assert status == 1
    assert "`Unknown` is not registered in the\ncontainer" in err
    assert "pass the container that registers it: --container MODULE:ATTR" in flat(err)


@pytest.mark.usefixtures("project")
def test_route_with_several_containers_around_asks_for_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two containers in a route's module: the CLI asks which rather than picking one."""
    module = __import__("cli_elsewhere")
    module.second = module.cli_deps.container  # the module now holds two containers
    status, out, err = run(capsys, "graph", "cli_elsewhere:user")
    assert (status, out) == (2, "")
    assert "several containers (cli_elsewhere:local, cli_elsewhere:second)" in flat(err)
    assert "--container MODULE:ATTR" in err


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("command", ["graph", "explain"])
def test_an_app_object_is_refused_not_drawn(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """`graph module:app` exits 2 naming what the target is, instead of drawing __call__."""
    status, out, err = run(capsys, command, "cli_routes:app")
    assert (status, out) == (2, "")
    assert "cli_routes:app is a FastAPI object, not a function" in flat(err)


@pytest.mark.usefixtures("project")
def test_mermaid_names_registered_nodes_by_type_and_colours_scopes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--format mermaid: a registered provider's box shows its type; scopes have classes."""
    status, out, _ = run(capsys, "graph", "cli_routes:user", "--format", "mermaid")
    assert status == 0
    lines = out.splitlines()
    assert '    n1["DbSession<br/>from db [request]"]' in lines
    assert "    classDef scope_request fill:#dcfce7,stroke:#15803d" in lines
    assert "    class n1 scope_request" in lines


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    "args",
    [
        ("explain", "cli_elsewhere:user"),
        ("graph", "cli_elsewhere:lost"),
        ("graph", "cli_routes:app"),
        ("graph", "cli_routes:no_such_function_in_this_module_at_all"),
        ("graph", "cli_routes"),
    ],
)
def test_the_command_lines_errors_fit_an_80_column_terminal(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    """Every line the CLI prints on a mistake fits 80 columns; only a command stays whole."""
    __import__("cli_routes")
    status, _, err = run(capsys, *args)
    assert status in (1, 2)
    long = [line for line in err.splitlines() if len(line) > 80]
    assert all(line.strip().startswith("`python -m injectkit ") for line in long), long
