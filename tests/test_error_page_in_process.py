"""Each program of docs/examples/errors/ raises, run in this process, the text docs/errors.md
shows for it.

tests/test_errors_golden.py checks the same page by running each program as a user would,
in a subprocess; this runs them in the test's own process, so that a mutation test (which
changes the package only in this process, docs/mutation.md) sees every word of every
documented error.
"""

from __future__ import annotations

import re
import runpy
import traceback
from pathlib import Path

import pytest

from injectkit import InjectionError

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "errors.md"
PROGRAMS = sorted((ROOT / "docs" / "examples" / "errors").glob("*.py"))
_BLOCK = re.compile(r"<!-- error-output: ([\w-]+) -->\n```text\n(.*?)```\n", re.DOTALL)


def _page_texts() -> dict[str, str]:
    return dict(_BLOCK.findall(PAGE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_a_documented_mistake_raises_the_text_the_error_page_shows(
    program: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run in-process, the program ends with exactly the error its block on the page shows."""
    expected = _page_texts()[program.stem]
    with pytest.raises(InjectionError) as raised:
        runpy.run_path(str(program), run_name="__main__")
    shown = "".join(traceback.format_exception_only(raised.value))
    assert shown == expected
