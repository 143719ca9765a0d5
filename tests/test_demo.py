"""``python -m injectkit.demo`` runs FastAPI's Background Tasks example on a real server
and shows, in words and in its timeline, that tasks write after the client has the
whole response."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from injectkit import demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def output() -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "injectkit.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _at(lines: list[str], fragment: str, start: int = 0) -> int:
    return next(i for i, line in enumerate(lines) if i >= start and fragment in line)


def test_demo_shows_the_response_before_the_log_lines_and_the_graph(output: list[str]) -> None:
    """Per request: handler, complete response read by the client, each task, cleanup."""
    lines = output
    assert lines[0] == "injectkit demo: FastAPI's Background Tasks example on Starlette + uvicorn"
    assert re.fullmatch(r"serving on http://127\.0\.0\.1:\d+, sending 2 requests", lines[1])
    first = _at(lines, "request 1: POST /send-notification/a@b.c?q=hello")
    second = _at(lines, "request 2: POST /send-notification/b@c.d")
    order = [
        _at(lines, "client: POST /send-notification/a@b.c?q=hello", first),
        _at(lines, "server: handler returned", first),
        _at(
            lines, 'client: has read the complete response: 200 {"message": "Message sent"}', first
        ),
        _at(lines, "server: task 'found query: hello' starts", first),
        _at(lines, "server: task 'found query: hello' wrote its line to log.txt", first),
        _at(lines, "server: task 'message to a@b.c' wrote its line to log.txt", first),
        _at(lines, "server: request cleanup ran (session closed)", first),
        second,
        _at(lines, "client: POST /send-notification/b@c.d", second),
        _at(
            lines, 'client: has read the complete response: 200 {"message": "Message sent"}', second
        ),
        _at(lines, "server: task 'message to b@c.d' wrote its line to log.txt", second),
        _at(lines, "server: request cleanup ran (session closed)", second),
        _at(lines, "log.txt:"),
        _at(lines, "The dependency graph of send_notification, as Mermaid text."),
    ]
    assert order == sorted(order)
    log = lines[_at(lines, "log.txt:") + 1 : _at(lines, "log.txt:") + 4]
    assert log == ["  found query: hello", "  message to a@b.c", "  message to b@c.d"]
    mermaid = "\n".join(lines[_at(lines, "graph TD") :])
    assert '["get_query [request]"]' in mermaid
    assert '["Session<br/>from session [request, yield]"]' in mermaid
    assert "-->|q|" in mermaid


def test_demo_says_in_words_that_tasks_wait_for_the_complete_response(output: list[str]) -> None:
    """Before the timelines, the output says each task is held until the client has read
    the whole response, then writes; a task says when it was held."""
    text = "\n".join(output)
    assert text.index(demo.EXPLANATION) < text.index("request 1:")
    words = " ".join(demo.EXPLANATION.split())
    assert (
        "Each background task is held until the client has read the whole response; "
        "then it writes its line to log.txt." in words
    )
    starts = [line for line in output if re.search(r"server: task '.*' starts", line)]
    assert len(starts) == 3
    assert all(
        line.endswith(
            ("(the client has the whole response)", "held until the client has the whole response")
        )
        for line in starts
    )


def test_demo_says_what_to_do_with_the_mermaid_text(output: list[str]) -> None:
    """The graph comes with how to see it drawn (mermaid.live, a ```mermaid block)."""
    text = "\n".join(output)
    help_at = text.index(demo.MERMAID_HELP)
    assert help_at < text.index("graph TD")
    assert "https://mermaid.live" in demo.MERMAID_HELP
    assert "```mermaid" in demo.MERMAID_HELP


def test_demo_uses_no_in_house_words(output: list[str]) -> None:
    """No 'seed', 'tutorial002' or other words only the project's authors know."""
    text = "\n".join(output).lower()
    for word in ("seed", "tutorial00", "kernel", "plan"):
        assert not re.search(rf"\b{word}", text), word


def test_readme_names_the_requests_the_demo_sends(output: list[str]) -> None:
    """The README's quick start lists exactly the demo's requests, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"`POST (\S+)`", quick) == list(demo.REQUESTS)
    sent = [m.group(1) for line in output if (m := re.search(r"client: POST (\S+)", line))]
    assert sent == list(demo.REQUESTS)
