"""docs/errors.md shows the real text of every documented error (golden tests).

The programs in docs/examples/errors/ each make one mistake; scripts/render_errors.py
copies the error each one ends with into docs/errors.md.  When a message changes, these
tests fail until the page is regenerated.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import injectkit

ROOT = Path(__file__).resolve().parent.parent
RERUN = "run `uv run python scripts/render_errors.py` and review the diff of docs/errors.md"


def _load_renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_errors", ROOT / "scripts" / "render_errors.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("render_errors", module)
    spec.loader.exec_module(module)
    return module


render_errors = _load_renderer()
SCRIPTS = render_errors.error_scripts()


def _page_blocks() -> dict[str, str]:
    return dict(render_errors.rendered_blocks(render_errors.PAGE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_page_shows_the_real_error(script: Path) -> None:
    """The block for each error program equals the error that program really ends with."""
    blocks = _page_blocks()
    assert script.stem in blocks, f"docs/errors.md has no block for {script.name}; {RERUN}"
    real = render_errors.error_text(script)
    assert blocks[script.stem] == real, (
        f"the message of {script.name} changed; {RERUN}.\nreal:\n{real}\npage:\n"
        f"{blocks[script.stem]}"
    )


def test_every_block_has_a_program() -> None:
    """No block on the page is left over from a program that no longer exists."""
    names = {s.stem for s in SCRIPTS}
    leftovers = sorted(_page_blocks().keys() - names)
    assert not leftovers, f"blocks without a program in docs/examples/errors/: {leftovers}"


def test_every_error_class_is_documented() -> None:
    """Each public InjectionError class appears as the raised class of some block."""
    classes = {
        name
        for name in injectkit.__all__
        if isinstance(getattr(injectkit, name), type)
        and issubclass(getattr(injectkit, name), injectkit.InjectionError)
    }
    shown = {block.split(":", 1)[0].removeprefix("injectkit.") for block in _page_blocks().values()}
    assert classes <= shown, f"error classes with no example on the page: {classes - shown}"


def test_render_is_stable() -> None:
    """Rendering the page with the texts it already shows changes nothing."""
    page = render_errors.PAGE.read_text(encoding="utf-8")
    assert render_errors.render(page, _page_blocks()) == page
