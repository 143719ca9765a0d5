"""Through a real Starlette server: an override never changes what a request may pass."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from injectkit import Container, Depends
from injectkit.integrations.starlette import get_scope, inject, setup

from . import _scenarios as scenarios
from .conftest import serve_asgi

pytestmark = pytest.mark.anyio


class User:
    def __init__(self, name: str) -> None:
        self.name = name


def current_user(x_token: str) -> User:
    return User(x_token)


def named_fake_user(name: str = "fake") -> User:
    return User(name)


async def create_note(title: str, user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    return {"note": f"{title} by {user.name}"}


async def forward(request: Request) -> JSONResponse:
    """Production code that passes the query on to an injected function, as is."""
    note = await get_scope(request).call(create_note, **request.query_params)
    return JSONResponse(note)


def make_app(container: Container) -> Starlette:
    app = Starlette(routes=[Route("/notes", inject(create_note)), Route("/forward", forward)])
    setup(app, container)
    return app


async def test_requests_that_worked_before_an_override_still_work() -> None:
    """With current_user overridden, x_token is still accepted (and ignored); the
    replacement's own parameter is read from the query."""
    container = Container()
    with serve_asgi(make_app(container)) as url:
        async with scenarios.asgi_client(url) as client:
            query = {"title": "t", "x_token": "ada"}
            for path in ("/notes", "/forward"):
                assert (await client.get(path, params=query)).json() == {"note": "t by ada"}
            with container.override(current_user, named_fake_user):
                for path in ("/notes", "/forward"):
                    response = await client.get(path, params=query)
                    assert response.status_code == 200, response.text
                    assert response.json() == {"note": "t by fake"}
                    named = await client.get(path, params={**query, "name": "bob"})
                    assert named.json() == {"note": "t by bob"}
                # x_token is no longer needed by anything, so no longer required
                alone = await client.get("/notes", params={"title": "t"})
                assert alone.json() == {"note": "t by fake"}
            restored = await client.get("/notes", params={"title": "t"})
            assert restored.status_code == 422  # x_token is required again
