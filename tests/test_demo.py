"""``python -m injectkit.demo`` runs the seed on a real server and shows the right order."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_shows_the_response_before_the_log_lines_and_the_graph() -> None:
    """The demo exits 0; the client has the response before the tasks write the log."""
    result = subprocess.run(
        [sys.executable, "-m", "injectkit.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()

    def at(fragment: str) -> int:
        return next(i for i, line in enumerate(lines) if fragment in line)

    assert lines[0] == "injectkit demo: the seed's tutorial002 on Starlette + uvicorn"
    assert lines[1].startswith("serving on http://127.0.0.1:")
    order = [
        at("client: POST /send-notification/a@b.c?q=hello"),
        at("server: handler returned"),
        at('client: complete response 200 {"message": "Message sent"}'),
        at("server: background task wrote 'found query: hello'"),
        at("server: background task wrote 'message to a@b.c'"),
        at("server: request finalizer ran (session closed)"),
        at("log.txt:"),
        at("graph of send_notification (Mermaid):"),
    ]
    assert order == sorted(order)
    log = lines[at("log.txt:") + 1 : at("graph of send_notification")]
    assert log == ["  found query: hello", "  message to a@b.c"]
    mermaid = "\n".join(lines[at("graph of send_notification") + 1 :])
    assert mermaid.startswith("graph TD")
    assert '["get_query [request]"]' in mermaid
    assert '["Session<br/>from session [request, yield]"]' in mermaid
    assert "-->|q|" in mermaid
