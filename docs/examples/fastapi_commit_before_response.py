from collections.abc import Iterator
from typing import Annotated

import anyio
import httpx
from fastapi import FastAPI, HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from injectkit import Container, Depends
from injectkit.integrations.fastapi import inject, setup

container = Container()


class Session:
    def __init__(self) -> None:
        self.added: list[str] = []

    def commit(self) -> None:
        print(f"  commit {self.added}")

    def rollback(self, reason: Exception) -> None:
        print(f"  rollback ({reason!r})")


def open_session() -> Iterator[Session]:
    session = Session()
    try:
        yield session
    except Exception as exc:
        session.rollback(exc)
        raise
    session.commit()


# Request scope (the default): the commit runs after the response has been sent.
AfterResponse = Annotated[Session, Depends(open_session)]
# Function scope: the commit runs when the route returns, before FastAPI answers, so a
# failed commit is the client's error response rather than a log line.
BeforeResponse = Annotated[Session, Depends(open_session, scope="function")]

app = FastAPI()


@app.post("/late/{title}")
@inject
async def create_late(title: str, session: AfterResponse) -> str:
    session.added.append(title)
    return "created"


@app.post("/notes/{title}")
@inject
async def create_note(title: str, session: BeforeResponse) -> str:
    if title == "-":
        raise HTTPException(422, "a note needs a title")
    session.added.append(title)
    return "created"


setup(app, container)


def show_responses(asgi_app: ASGIApp) -> ASGIApp:  # what the server sends, as it sends it
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def shown(message: Message) -> None:
            if message["type"] == "http.response.start":
                print(f"  response sent: {message['status']}")
            await send(message)

        await asgi_app(scope, receive, shown)

    return wrapped


async def main() -> None:
    transport = httpx.ASGITransport(app=show_responses(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for path in ("/late/a", "/notes/b", "/notes/-"):
            print(f"POST {path}")
            await client.post(path)


anyio.run(main)

# Output:
# POST /late/a
#   response sent: 200
#   commit ['a']
# POST /notes/b
#   commit ['b']
#   response sent: 200
# POST /notes/-
#   rollback (HTTPException(status_code=422, detail='a note needs a title'))
#   response sent: 422
