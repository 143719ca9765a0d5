"""The README's example runs as written."""

import os
import re
from pathlib import Path
from typing import Any

import anyio
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_example_writes_both_lines_after_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 'What it looks like' example: both log lines are written after the call returns."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(python_blocks()[0], str(README), "exec"), namespace)

    async def call() -> dict[str, str]:
        result: dict[str, str] = await namespace["send_notification"]("a@b.c", q="x")
        return result

    assert anyio.run(call) == {"message": "Message sent"}
    assert Path("log.txt").read_text() == "found query: x\nmessage to a@b.c\n"
    assert os.getcwd() == str(tmp_path)


def test_readme_quick_start_names_the_two_commands() -> None:
    """The quick start is exactly the demo and the test command."""
    quick = README.read_text().split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^uv run .*$", quick, flags=re.MULTILINE)
    assert commands == ["uv run python -m injectkit.demo", "uv run pytest"]
