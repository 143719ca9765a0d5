"""One supported Python everywhere, and one way to install injectkit today.

pyproject.toml's requires-python is the truth; the README, the docs, the classifiers,
mypy's and ruff's targets and the CI script (which runs the suite on that lowest version)
must all say the same.  injectkit is not on PyPI yet: every page that installs it says how
to from a clone, and shows ``pip install injectkit`` only as the future form.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _lowest() -> str:
    match = re.fullmatch(r">=(3\.\d+)", PYPROJECT["project"]["requires-python"])
    assert match, PYPROJECT["project"]["requires-python"]
    return match.group(1)


def test_requires_python_is_the_lowest_python_ci_can_run() -> None:
    """requires-python is >=3.11: CI (a clean clone, Python 3.11, uv) has nothing older."""
    assert _lowest() == "3.11"


def test_readme_and_docs_state_the_same_lowest_python() -> None:
    """Every 'needs/with Python 3.X+ (or newer)' claim names requires-python's version."""
    claims = {
        f"{page.relative_to(ROOT)}: {m.group(0)}"
        for page in PAGES
        for m in re.finditer(
            r"(?:needs|with|requires) Python (3\.\d+)(?:\+| or newer| or later)",
            page.read_text(),
            flags=re.IGNORECASE,
        )
        if m.group(1) != _lowest()
    }
    assert not claims, f"pages that disagree with requires-python >={_lowest()}: {claims}"
    readme = (ROOT / "README.md").read_text()
    index = (ROOT / "docs" / "index.md").read_text()
    assert f"Python {_lowest()}+" in readme
    assert f"Python {_lowest()} or newer" in index


def test_no_page_mentions_python_3_10_any_more() -> None:
    """No page says anything about Python 3.10, which is not supported."""
    mentions = [
        str(page.relative_to(ROOT)) for page in PAGES if re.search(r"3\.10\b", page.read_text())
    ]
    assert not mentions


def test_classifiers_and_checkers_target_the_lowest_python() -> None:
    """The classifiers list the lowest version (none older); mypy and ruff check for it."""
    lowest = _lowest()
    versions = [
        c.rsplit(":: ", 1)[1]
        for c in PYPROJECT["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert lowest in versions
    assert all(tuple(map(int, v.split("."))) >= (3, 11) for v in versions)
    assert PYPROJECT["tool"]["mypy"]["python_version"] == lowest
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + lowest.replace(".", "")


def test_ci_runs_the_suite_on_the_lowest_python() -> None:
    """.ci/run selects requires-python's version for uv before it runs pytest."""
    script = (ROOT / ".ci" / "run").read_text()
    selected = script.index(f"export UV_PYTHON={_lowest()}\n")
    assert selected < script.index("uv run pytest")


def test_every_install_line_works_today_or_is_marked_as_the_future_form() -> None:
    """`pip install injectkit...` from an index appears only marked 'not yet'; each page
    that installs injectkit shows the clone and the `./injectkit` install."""
    index_install = re.compile(r"pip install \"?injectkit\b")
    wrong: list[str] = []
    installing: list[Path] = []
    for page in PAGES:
        text = page.read_text()
        for line in text.splitlines():
            if index_install.search(line) and not re.search(
                r"not (published |on PyPI )?yet|future form|does not work today", line
            ):
                wrong.append(f"{page.relative_to(ROOT)}: {line}")
        if index_install.search(text) or "pip install ./injectkit" in text:
            installing.append(page)
    assert not wrong, wrong
    assert len(installing) >= 9  # README, index, tutorial and the six adapter pages
    for page in installing:
        text = page.read_text()
        assert "git clone <injectkit repository URL> injectkit" in text, page
        assert re.search(r'python -m pip install "?\./injectkit', text), page
