"""The docs site shows long output and wide tables without hiding anything.

Builds the site with mkdocs and reads the built HTML and CSS: code and output wrap at
the page's edge (no hint hidden past it, none under the copy button), the errors
page's output has no line wider than a terminal, table headers break only between
words, and the benchmark chart is drawn to be read in the content column.
"""

from __future__ import annotations

import html
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=ROOT,
        check=True,
        timeout=600,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    return out


def _css_rule(css: str, selector: str) -> str:
    """The declarations of every rule whose selector list contains ``selector``."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    bodies = [
        body
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
        if selector in [s.strip() for s in selectors.split(",")]
    ]
    assert bodies, f"no CSS rule for {selector}"
    return "".join(bodies)


def test_every_page_loads_the_layout_stylesheet(site: Path) -> None:
    """Each built page links stylesheets/extra.css, which the build copied."""
    assert (site / "stylesheets" / "extra.css").is_file()
    pages = sorted(site.rglob("index.html"))
    assert len(pages) >= 20
    missing = [p for p in pages if "stylesheets/extra.css" not in p.read_text(encoding="utf-8")]
    assert not missing, missing


def test_code_and_output_wrap_instead_of_scrolling(site: Path) -> None:
    """Code blocks wrap (pre-wrap, long words too) and leave the copy button room."""
    css = (site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    rule = _css_rule(css, ".md-typeset pre > code")
    assert re.search(r"white-space:\s*pre-wrap", rule)
    assert re.search(r"overflow-wrap:\s*anywhere", rule)
    assert re.search(r"padding-right:\s*2\.4em", rule)
    # 80 columns fit a 1024-1280 px window's content column (checked in Chromium)
    assert re.search(r"font-size:\s*0\.8em", _css_rule(css, ".md-typeset pre"))


def test_table_headers_break_only_between_words(site: Path) -> None:
    """Headers keep words whole; the table is laid out to the content's width."""
    css = (site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    header = _css_rule(css, ".md-typeset table:not([class]) th")
    assert re.search(r"word-break:\s*keep-all", header)
    assert re.search(r"hyphens:\s*none", header)
    assert re.search(
        r"white-space:\s*nowrap", _css_rule(css, ".md-typeset table:not([class]) th code")
    )
    assert re.search(r"width:\s*100%", _css_rule(css, ".md-typeset table:not([class])"))


def test_no_line_of_the_built_errors_page_output_exceeds_80_columns(site: Path) -> None:
    """Every line of every error shown on the built errors page fits 80 columns."""
    page = (site / "errors" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', page, re.DOTALL)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks]
    texts = [text for text in texts if re.match(r"injectkit\.\w+: ", text)]  # errors
    assert len(texts) >= 15
    long = [line for text in texts for line in text.splitlines() if len(line) > 80]
    assert not long, long
    assert any("  hint: " in text for text in texts)


def test_the_benchmark_chart_is_drawn_for_the_content_column() -> None:
    """docs/benchmarks.png is at most 1200 px wide and not a wide strip (the old one,
    1320x605, shrank to half size on the page), so its text stays readable."""
    head = (ROOT / "docs" / "benchmarks.png").read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width <= 1200
    assert width / height <= 1.3
