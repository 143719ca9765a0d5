from typing import Annotated

import anyio
import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations.starlette import inject, setup
from injectkit.testing import queued, record

container = Container()


def write_log(message: str) -> None:
    raise RuntimeError("captured tasks do not run")


def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        background_tasks.add_task(write_log, f"found query: {q}\n")
    return q


@inject
async def send_notification(
    email: str,
    background_tasks: BackgroundTasks,
    q: Annotated[str | None, Depends(get_query)],
) -> dict[str, str]:
    background_tasks.add_task(write_log, f"message to {email}\n")
    return {"message": "Message sent"}


app = Starlette(routes=[Route("/send-notification/{email}", send_notification, methods=["POST"])])
setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    # The adapter opens the request's scope with container.request(): inside record(),
    # that scope reports to the recorder and keeps its tasks.
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        record(container, send_notification) as rec,
    ):
        response = await client.post("/send-notification/a@b.c", params={"q": "x"})
    print(response.status_code, response.json())
    print(rec.providers)
    assert rec.tasks == [
        queued(write_log, "found query: x\n"),
        queued(write_log, "message to a@b.c\n"),
    ]
    print(len(rec.tasks), "tasks captured")


anyio.run(main)

# Output:
# 200 {'message': 'Message sent'}
# ['get_query']
# 2 tasks captured
