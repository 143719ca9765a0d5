"""``explain`` and ``python -m injectkit`` mark which free parameters of an adapter's route
a client sets (from the request), which the framework fills, and which never come from
the request; a plain injected function keeps "from the call"."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from injectkit._cli import main
from injectkit.testing import explain

ROUTES = """
from typing import Annotated

from fastapi import FastAPI

from injectkit import Container, Depends, NotFromRequest
from injectkit.integrations.fastapi import inject, setup

container = Container()


def get_pool(pool_size: int = 5, secret: NotFromRequest[int] = 3) -> int:
    return pool_size + secret


app = FastAPI()


@app.get("/items/{item_id}")
@inject
async def item(item_id: int, pool: Annotated[int, Depends(get_pool)]) -> int:
    return pool


@container.inject
def plain(pool: Annotated[int, Depends(get_pool)]) -> int:
    return pool


setup(app, container)
"""


@pytest.fixture
def routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The module above, importable as ``request_routes``."""
    (tmp_path / "request_routes.py").write_text(textwrap.dedent(ROUTES))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    import request_routes  # type: ignore[import-not-found]

    yield request_routes
    sys.modules.pop("request_routes", None)


def test_explain_marks_what_a_client_sets_on_an_adapter_route(routes: object) -> None:
    """explain() of a route lists the parameters read from the request apart from the
    framework's own and the NotFromRequest ones."""
    explanation = explain(routes.container, routes.item)  # type: ignore[attr-defined]
    lines = str(explanation).splitlines()
    assert "from the request (path or query): pool_size=5" in lines
    assert "from the framework: item_id" in lines
    assert "never from the request: secret=3" in lines
    assert explanation.request is not None
    assert [p.name for p in explanation.request.from_request] == ["pool_size"]


def test_explain_of_a_plain_injected_function_says_from_the_call(routes: object) -> None:
    """A function that is no adapter's route keeps its free parameters "from the call"."""
    explanation = explain(routes.container, routes.plain)  # type: ignore[attr-defined]
    assert "from the call: pool_size=5, secret=3" in str(explanation).splitlines()
    assert explanation.request is None


@pytest.mark.usefixtures("routes")
def test_cli_graph_labels_request_parameters_of_a_route(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """python -m injectkit graph labels a route's free parameters by where they come from."""
    assert main(["graph", "request_routes:item"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "    item_id <- item_id (from the framework)" in out
    assert "    pool_size <- pool_size (from the request)" in out
    assert "    secret <- secret (its default, never from the request)" in out


@pytest.mark.usefixtures("routes")
def test_cli_explain_marks_request_parameters_of_a_route(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """python -m injectkit explain says which parameters of a route a client sets."""
    assert main(["explain", "request_routes:item"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "from the request (path or query): pool_size=5" in out
    assert "never from the request: secret=3" in out
