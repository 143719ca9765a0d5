"""``python -m injectkit graph|explain``: graphs of a function or a container, as text."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from injectkit._cli import main

SHOP = """
from typing import Annotated, Iterator

from injectkit import BackgroundTasks, Container, Depends


class Settings:
    pass


class Session:
    pass


class Unused:
    pass


class Request:
    pass


VERSION = "1.0"

container = Container()
container.register(Unused)


@container.provider(scope="app")
def settings() -> Settings:
    return Settings()


@container.provider
def session(settings: Settings) -> Iterator[Session]:
    yield Session()


def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
    return q


@container.inject
async def send_notification(
    email: str, q: Annotated[str | None, Depends(get_query)], db: Session
) -> None:
    pass


@container.inject
async def list_items(db: Session) -> None:
    pass


def plain(db: Session) -> None:
    pass


def needs_request(request: Request, db: Session) -> None:
    pass


class Missing:
    pass


def broken(value: Annotated[None, Depends(lambda m: None)], m: Missing) -> None:
    pass


def needs_missing(x: Annotated[None, Depends(plain)], y: Annotated[None, Depends(broken)]) -> None:
    pass
"""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module ``shop_cli`` on sys.path, forgotten after the test."""
    (tmp_path / "shop_cli.py").write_text(textwrap.dedent(SHOP))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield "shop_cli"
    sys.modules.pop("shop_cli", None)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("fmt", ["text", "mermaid", "dot"])
def test_graph_of_a_function(shop: str, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """`graph module:function` prints exactly what GraphView renders for that function."""
    status, out, err = run(capsys, "graph", f"{shop}:send_notification", "--format", fmt)
    assert (status, err) == (0, "")
    module = importlib.import_module(shop)
    view = module.container.graph(module.send_notification)
    expected = {"text": view.to_text, "mermaid": view.to_mermaid, "dot": view.to_dot}[fmt]()
    assert out == expected + "\n"
    assert "session [request, yield]" in out


@pytest.mark.parametrize(
    ("fmt", "first"), [("mermaid", "graph TD"), ("dot", "digraph injectkit {")]
)
def test_graph_of_a_function_as_mermaid_or_dot(
    shop: str, capsys: pytest.CaptureFixture[str], fmt: str, first: str
) -> None:
    """--format mermaid / dot print the same graph in those languages."""
    status, out, _ = run(capsys, "graph", f"{shop}:send_notification", "--format", fmt)
    assert status == 0
    assert out.splitlines()[0] == first
    assert "session [request, yield]" in out


def test_graph_of_a_container_shows_every_injected_function(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`graph module:container` draws each injected function in its own subgraph."""
    status, out, _ = run(capsys, "graph", f"{shop}:container", "--format", "mermaid")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "graph TD"
    assert '    subgraph g0["send_notification"]' in lines
    assert '    subgraph g1["list_items"]' in lines
    assert "        g1_n0 -->|db| g1_n1" in lines
    status, out, _ = run(capsys, "graph", f"{shop}:container", "--format", "dot")
    assert "    subgraph cluster_1 {" in out.splitlines()
    status, out, _ = run(capsys, "graph", f"{shop}:container")
    assert out.split("\n\n")[1].splitlines()[0] == "list_items"


def test_explain_a_container_names_unused_providers(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`explain module:container` explains each injected function and lists unused types."""
    status, out, _ = run(capsys, "explain", f"{shop}:container")
    assert status == 0
    assert "send_notification pulls in 3 provider(s):" in out
    assert "finalizers when the request closes: session" in out
    assert out.splitlines()[-1] == "unused providers: Unused"


def test_plain_function_uses_the_given_container(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A function that is not injected is solved in --container."""
    status, out, _ = run(capsys, "graph", f"{shop}:plain", "--container", f"{shop}:container")
    assert status == 0
    assert out.splitlines()[:2] == ["plain", "    db <- session"]


def test_context_types_are_taken_from_the_request(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--context module:Type marks a parameter as coming from the request context."""
    status, out, _ = run(
        capsys,
        "explain",
        f"{shop}:needs_request",
        "--container",
        f"{shop}:container",
        "--context",
        f"{shop}:Request",
    )
    assert status == 0
    assert "from the request scope: Request" in out


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("shop_cli", "is not a target; write module:attribute"),
        ("no_such_module_xyz:f", "cannot import 'no_such_module_xyz'"),
        ("shop_cli:nope", "'shop_cli' has no attribute 'nope'"),
        ("shop_cli:VERSION", "'1.0' is neither a container nor a callable"),
    ],
)
def test_bad_targets_exit_2_with_a_message(
    shop: str, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    """A target that cannot be found is a usage error (exit status 2) that says why."""
    status, out, err = run(capsys, "graph", target)
    assert (status, out) == (2, "")
    assert message in err


def test_graph_errors_exit_1_with_the_injection_error(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unsolvable graph prints the InjectionError (its chain and hint) and exits 1."""
    status, out, err = run(
        capsys, "graph", f"{shop}:needs_missing", "--container", f"{shop}:container"
    )
    assert (status, out) == (1, "")
    assert err.startswith("UnresolvableDependencyError: ")
    assert "chain: needs_missing -> broken" in err


def test_python_dash_m_injectkit(shop: str, tmp_path: Path) -> None:
    """The module runs as `python -m injectkit` from the directory holding the user's code."""
    done = subprocess.run(
        [sys.executable, "-m", "injectkit", "graph", f"{shop}:list_items", "--format", "dot"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "digraph injectkit {"
    assert '    n0 -> n1 [label="db"];' in done.stdout.splitlines()
