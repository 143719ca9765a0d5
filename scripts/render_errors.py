"""Write the real text of every documented error into docs/errors.md.

Each ``docs/examples/errors/<name>.py`` is a small program that makes one mistake.  This
script runs each one as a user would (``python <file>``) and copies the error it ends
with, exactly as the traceback's last lines show it, into docs/errors.md between

    <!-- error-output: <name> -->
    <!-- /error-output -->

Run it after changing an error message:

    uv run python scripts/render_errors.py          # rewrite docs/errors.md
    uv run python scripts/render_errors.py --check  # exit 1 if it is out of date

tests/test_errors_golden.py fails when the page and the real messages differ.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "errors.md"
SCRIPTS = ROOT / "docs" / "examples" / "errors"

_BLOCK = re.compile(
    r"(?P<open><!-- error-output: (?P<name>[\w-]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<close><!-- /error-output -->)",
    re.DOTALL,
)
# The last exception of a traceback starts at the first line of its "Type: message".
_ERROR_LINE = re.compile(r"^injectkit\.\w+: ", re.MULTILINE)


class RenderError(Exception):
    """An error script or the page is not what this script expects."""


def error_scripts() -> list[Path]:
    return sorted(SCRIPTS.glob("*.py"))


def error_text(script: Path) -> str:
    """The error ``python <script>`` ends with, as its traceback prints it."""
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    starts = list(_ERROR_LINE.finditer(done.stderr))
    if done.returncode != 1 or not starts:
        raise RenderError(
            f"{script.relative_to(ROOT)} should end with an injectkit error, but it exited "
            f"with {done.returncode}; stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    return done.stderr[starts[-1].start() :].rstrip() + "\n"


def rendered_blocks(page: str) -> dict[str, str]:
    """The error text each marked block of the page shows, by script name."""
    blocks: dict[str, str] = {}
    for match in _BLOCK.finditer(page):
        body = match.group("body")
        inner = re.fullmatch(r"```text\n(.*)```\n", body, re.DOTALL)
        blocks[match.group("name")] = inner.group(1) if inner else body
    return blocks


def render(page: str, texts: dict[str, str]) -> str:
    """The page with every marked block replaced by the real text of its script."""
    names = {m.group("name") for m in _BLOCK.finditer(page)}
    missing = sorted(texts.keys() - names)
    unknown = sorted(names - texts.keys())
    if missing or unknown:
        raise RenderError(
            f"docs/errors.md and docs/examples/errors/ disagree: scripts without a block "
            f"{missing}, blocks without a script {unknown}. Add "
            "'<!-- error-output: NAME -->' / '<!-- /error-output -->' for each script."
        )

    def fill(match: re.Match[str]) -> str:
        text = texts[match.group("name")]
        return f"{match.group('open')}```text\n{text}```\n{match.group('close')}"

    return _BLOCK.sub(fill, page)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    page = PAGE.read_text(encoding="utf-8")
    texts = {script.stem: error_text(script) for script in error_scripts()}
    updated = render(page, texts)
    if updated == page:
        print("docs/errors.md is up to date.")
        return 0
    if check:
        print("docs/errors.md is out of date: run `uv run python scripts/render_errors.py`.")
        return 1
    PAGE.write_text(updated, encoding="utf-8")
    print(f"docs/errors.md: rendered {len(texts)} errors.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RenderError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
