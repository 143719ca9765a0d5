"""The documentation's examples run as written and print what the pages say they print.

Each ``docs/examples/*.py`` ends with an ``# Output:`` comment block: the exact stdout of
``python docs/examples/x.py``.  A line ``# ...`` there matches any number of lines, and
``...`` inside a line matches any text (for output that is not ours to pin, like the
generated source of a plan).  An optional ``# Stderr:`` block does the same for stderr,
which must otherwise stay empty.  Examples that use ``anyio.run`` run on trio too.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))

# Runs an example with anyio's default backend switched, so that the file stays exactly
# what a reader copies (``anyio.run(main)``) and still gets exercised on trio.
_ON_BACKEND = """\
import functools, runpy, sys
import anyio
anyio.run = functools.partial(anyio.run, backend=sys.argv[1])
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _block(source: str, title: str) -> list[str] | None:
    """The lines of the ``# <title>:`` comment block, without their ``# `` prefix."""
    lines = source.splitlines()
    try:
        start = lines.index(f"# {title}:")
    except ValueError:
        return None
    block: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith("#") or line.startswith(("# Output:", "# Stderr:")):
            break
        block.append(line[2:] if line.startswith("# ") else line[1:])
    return block


def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split("...")) + r"\Z")


def _matches(actual: list[str], expected: list[str]) -> bool:
    """Line-by-line comparison where an ``...`` line matches any run of lines."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(_matches(actual[i:], rest) for i in range(len(actual) + 1))
    return (
        bool(actual) and bool(_line_pattern(head).match(actual[0])) and _matches(actual[1:], rest)
    )


def _runs() -> list[object]:
    params: list[object] = []
    for path in EXAMPLES:
        params.append(pytest.param(path, "asyncio", id=f"{path.stem}-asyncio"))
        if "anyio.run(" in path.read_text(encoding="utf-8"):
            params.append(pytest.param(path, "trio", id=f"{path.stem}-trio"))
    return params


@pytest.mark.parametrize(("path", "backend"), _runs())
def test_example_prints_what_its_page_shows(path: Path, backend: str, tmp_path: Path) -> None:
    """Running the example prints exactly its ``# Output:`` block, on asyncio and trio."""
    source = path.read_text(encoding="utf-8")
    expected = _block(source, "Output")
    assert expected is not None, f"{path.name} has no '# Output:' block"
    if backend == "asyncio":
        command = [sys.executable, str(path)]
    else:
        command = [sys.executable, "-c", _ON_BACKEND, backend, str(path)]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    actual = [line.rstrip() for line in done.stdout.splitlines()]
    assert _matches(actual, expected), (
        f"{path.name} printed:\n{done.stdout}\nbut its '# Output:' block says:\n"
        + "\n".join(expected)
    )
    expected_stderr = _block(source, "Stderr") or []
    stderr = [line.rstrip() for line in done.stderr.splitlines()]
    assert _matches(stderr, expected_stderr), f"{path.name} wrote to stderr:\n{done.stderr}"


def _included_files() -> dict[str, list[str]]:
    """Every file a page pulls in with ``--8<--``, mapped to the pages that do."""
    included: dict[str, list[str]] = {}
    for page in sorted(DOCS.rglob("*.md")):
        for match in re.finditer(r'--8<--\s+"([^"]+)"', page.read_text(encoding="utf-8")):
            name = match.group(1).partition(":")[0]  # "file.md:section" includes a section
            included.setdefault(name, []).append(page.relative_to(DOCS).as_posix())
    return included


def test_every_example_is_shown_on_a_page() -> None:
    """No example file is orphaned: each is included by at least one page."""
    included = _included_files()
    orphans = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((DOCS / "examples").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in included
    ]
    assert not orphans, f"examples no page includes: {orphans}"


def test_every_included_file_exists() -> None:
    """Each ``--8<--`` include points at a file that exists (mkdocs would fail otherwise)."""
    missing = {
        name: pages for name, pages in _included_files().items() if not (ROOT / name).is_file()
    }
    assert not missing, f"pages include files that do not exist: {missing}"


def test_matcher_understands_ellipsis() -> None:
    """The output matcher treats ``...`` as any lines or any text, and nothing else loosely."""
    assert _matches(["a", "b", "c"], ["a", "...", "c"])
    assert _matches(["a", "c"], ["a", "...", "c"])
    assert _matches(["x = 1 at 0x7f"], ["x = 1 at ..."])
    assert not _matches(["a", "b"], ["a"])
    assert not _matches(["a"], ["a", "b"])
    assert not _matches(["a.b"], ["a*b"])
