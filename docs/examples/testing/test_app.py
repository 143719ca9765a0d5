import pytest
from app import send_notification, write_log

from injectkit.testing import queued


@pytest.mark.anyio
async def test_send_notification_queues_both_log_lines(injectkit_tasks):
    assert await send_notification("a@b.c", q="x") == {"message": "Message sent"}
    assert injectkit_tasks == [
        queued(write_log, "found query: x\n"),
        queued(write_log, "message to a@b.c\n"),
    ]
