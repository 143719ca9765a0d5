"""The seed (FastAPI's Background Tasks page), as plain injectkit calls."""

from pathlib import Path
from typing import Annotated

import pytest

from injectkit import BackgroundTasks, Container, Depends

pytestmark = pytest.mark.anyio


async def test_tutorial001_notification_written_after_return(tmp_path: Path) -> None:
    """tutorial001: the notification task writes the log after the handler returns."""
    log = tmp_path / "log.txt"
    c = Container()

    def write_notification(email: str, message: str = "") -> None:
        with log.open(mode="w") as email_file:
            email_file.write(f"notification for {email}: {message}")

    @c.inject
    async def send_notification(email: str, background_tasks: BackgroundTasks) -> dict[str, str]:
        background_tasks.add_task(write_notification, email, message="some notification")
        assert not log.exists()  # not yet: tasks run after the response
        return {"message": "Notification sent in the background"}

    assert await send_notification("a@example.com") == {
        "message": "Notification sent in the background"
    }
    assert log.read_text() == "notification for a@example.com: some notification"


async def test_tutorial002_dependency_and_handler_share_tasks(tmp_path: Path) -> None:
    """tutorial002: the query sub-dependency and the handler add to one task list."""
    log = tmp_path / "log.txt"
    c = Container()

    def write_log(message: str) -> None:
        with log.open(mode="a") as f:
            f.write(message)

    def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
        if q:
            message = f"found query: {q}\n"
            background_tasks.add_task(write_log, message)
        return q

    @c.inject
    async def send_notification(
        email: str,
        background_tasks: BackgroundTasks,
        q: Annotated[str | None, Depends(get_query)],
    ) -> dict[str, str]:
        message = f"message to {email}\n"
        background_tasks.add_task(write_log, message)
        return {"message": "Message sent"}

    assert await send_notification("a@b.c", q="x") == {"message": "Message sent"}
    assert log.read_text() == "found query: x\nmessage to a@b.c\n"
    await send_notification("d@e.f")
    assert log.read_text() == "found query: x\nmessage to a@b.c\nmessage to d@e.f\n"
