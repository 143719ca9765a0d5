"""The documentation's examples print their ``# Output:`` block when run in this process.

tests/test_docs.py runs each example as a reader would, in a subprocess; this runs them in
the test's own process, so that a mutation test (which changes the package only in this
process, docs/mutation.md) sees everything the examples show.
"""

from __future__ import annotations

import logging
import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_docs import _block, _matches

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.py"))
# Examples whose output goes where an in-process run cannot catch it as a reader sees it:
# warnings (pytest turns them into errors) and log lines (pytest's handlers take them).
_OUT_OF_PROCESS = {"scopes_swallow"}


@pytest.fixture(autouse=True)
def _own_logger() -> Iterator[None]:
    """Each example gets the ``injectkit`` logger as it was: some add a handler to it."""
    logger = logging.getLogger("injectkit")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.parametrize(
    "path",
    [p for p in EXAMPLES if p.stem not in _OUT_OF_PROCESS],
    ids=lambda p: p.stem,
)
def test_an_example_run_in_process_prints_its_output_block(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run in-process, the example prints exactly its ``# Output:`` block."""
    expected = _block(path.read_text(encoding="utf-8"), "Output")
    assert expected is not None, f"{path.name} has no '# Output:' block"
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(path), run_name="__main__")
    actual = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert _matches(actual, expected), "\n".join(actual)
