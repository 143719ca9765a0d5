import pytest
from app import get_query, send_notification, write_log

from injectkit.testing import fake, queued


def quiet_query(q: str | None = None) -> str | None:
    return q  # the same query, without the log line


@pytest.mark.anyio
@pytest.mark.injectkit_overrides({get_query: quiet_query})
async def test_marker_replaces_the_dependency(injectkit_tasks):
    await send_notification("a@b.c", q="x")
    assert injectkit_tasks == [queued(write_log, "message to a@b.c\n")]


@pytest.mark.anyio
async def test_fixture_replaces_it_for_this_test(injectkit_override, injectkit_tasks):
    injectkit_override(get_query, fake("fixed"))
    await send_notification("a@b.c")
    assert injectkit_tasks == [queued(write_log, "message to a@b.c\n")]
