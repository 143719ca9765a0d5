"""`python -m injectkit graph module:container --format mermaid`, run in this process:
one flowchart, a subgraph per injected function."""

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from injectkit._cli import main

APP = """
from collections.abc import Iterator

from injectkit import Container


class Session:
    pass


container = Container()


@container.provider
def session() -> Iterator[Session]:
    yield Session()


@container.inject
def list_items(db: Session) -> None:
    pass


@container.inject
def show_item(item_id: int, db: Session) -> None:
    pass


show_item.__wrapped__.__qualname__ = 'show_item("<id>")'
"""

MERMAID = """\
graph TD
    subgraph g0["list_items"]
        g0_n0["list_items"]
        g0_n1["Session<br/>from session [request, yield]"]
        g0_n0 -->|db| g0_n1
    end
    subgraph g1["show_item(#quot;#lt;id#gt;#quot;)"]
        g1_n0["show_item(#quot;#lt;id#gt;#quot;)"]
        g1_l0(["item_id (from the call)"])
        g1_n1["Session<br/>from session [request, yield]"]
        g1_n0 -->|item_id| g1_l0
        g1_n0 -->|db| g1_n1
    end
    classDef scope_request fill:#dcfce7,stroke:#15803d
    class g0_n1,g1_n1 scope_request
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module ``graph_app`` on sys.path, forgotten after the test."""
    (tmp_path / "graph_app.py").write_text(textwrap.dedent(APP))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "graph_app"
    sys.modules.pop("graph_app", None)


def test_container_mermaid_has_a_titled_subgraph_per_function(
    app: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each function's nodes sit in `subgraph gN["title"]` ... `end`, ids prefixed gN_."""
    assert main(["graph", f"{app}:container", "--format", "mermaid"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (MERMAID, "")
