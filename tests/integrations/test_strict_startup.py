"""Adapters validate strictly at start-up, exempting what the framework itself passes.

FastAPI and Litestar fill a handler's unmarked parameters themselves (a request body
read into a class, here); start-up validation must not call those unregistered.  A
real uvicorn server and httpx client, as for every adapter test.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from litestar import Litestar, post
from litestar.connection import ASGIConnection
from litestar.params import JSONBody
from pydantic import BaseModel
from starlette.requests import HTTPConnection

from injectkit.integrations import fastapi as fastapi_adapter
from injectkit.integrations import litestar as litestar_adapter

from . import _scenarios as scenarios
from .conftest import Recorder, Session, make_container, serve_asgi

pytestmark = pytest.mark.anyio


class Note(BaseModel):
    text: str


@dataclass
class Draft:
    text: str


async def test_fastapi_starts_with_a_body_class_parameter(
    recorder: Recorder, anyio_backend: str
) -> None:
    """A FastAPI body model on an injected route is FastAPI's: the app starts and serves."""
    app = FastAPI()

    @app.post("/notes")
    @fastapi_adapter.inject
    async def create(note: Note, session: fastapi_adapter.FromContainer[Session]) -> dict[str, Any]:
        return {"text": note.text, "session": isinstance(session, Session)}

    fastapi_adapter.setup(app, make_container(recorder, HTTPConnection))
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.post("/notes", json={"text": "hello"})
    assert response.json() == {"text": "hello", "session": True}


async def test_litestar_starts_with_a_body_class_parameter(
    recorder: Recorder, anyio_backend: str
) -> None:
    """A Litestar ``data`` body dataclass on an injected handler is Litestar's: it serves."""

    @post("/drafts")
    @litestar_adapter.inject
    async def create(
        data: JSONBody[Draft], session: litestar_adapter.FromContainer[Session]
    ) -> dict[str, Any]:
        return {"text": data.text, "session": isinstance(session, Session)}

    container = make_container(recorder, ASGIConnection)
    app = Litestar([create], plugins=[litestar_adapter.InjectKitPlugin(container)])
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.post("/drafts", json={"text": "hello"})
    assert response.json() == {"text": "hello", "session": True}
