"""The README's Starlette snippet, served by uvicorn on 127.0.0.1."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import TIMEOUT, serve_asgi

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_adapter_example_serves_the_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snippet's app answers, then writes its log line after the response."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    first, second = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)[:2]
    exec(compile(first, str(README), "exec"), namespace)
    exec(compile(second, str(README), "exec"), namespace)
    with serve_asgi(namespace["app"]) as url:
        response = httpx.post(f"{url}/send-notification/a@b.c", timeout=TIMEOUT)
    assert response.json() == {"message": "Message sent"}
    assert Path("log.txt").read_text() == "message to a@b.c\n"
