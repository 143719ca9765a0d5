from collections.abc import Iterator

import anyio
import httpx
from fastapi import FastAPI

from injectkit import BackgroundTasks, Container
from injectkit.integrations.fastapi import FromContainer, inject, setup

container = Container()


class Session:
    opened = 0

    def __init__(self) -> None:
        Session.opened += 1
        self.number = Session.opened


@container.provider
def open_session() -> Iterator[Session]:
    session = Session()
    print(f"session {session.number} opened")
    yield session
    print(f"session {session.number} closed")


# A service function: the core decorator, nothing about FastAPI.
@container.inject
def save_note(title: str, session: Session, tasks: BackgroundTasks) -> int:
    print(f"save_note uses session {session.number}")
    tasks.add_task(print, f"task: index {title!r}")
    return session.number


app = FastAPI()


@app.post("/notes/{title}")
@inject
async def create_note(
    title: str, session: FromContainer[Session], tasks: BackgroundTasks
) -> dict[str, int]:
    print(f"create_note uses session {session.number}")
    tasks.add_task(print, "task: notify followers")
    # Called from the route, save_note joins this request: same session, same tasks.
    return {"saved_with": save_note(title)}


setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for title in ("hello", "world"):
            print(f"POST /notes/{title}")
            response = await client.post(f"/notes/{title}")
            print(f"response: {response.json()}")


anyio.run(main)

# Output:
# POST /notes/hello
# session 1 opened
# create_note uses session 1
# save_note uses session 1
# task: notify followers
# task: index 'hello'
# session 1 closed
# response: {'saved_with': 1}
# POST /notes/world
# session 2 opened
# create_note uses session 2
# save_note uses session 2
# task: notify followers
# task: index 'world'
# session 2 closed
# response: {'saved_with': 2}
