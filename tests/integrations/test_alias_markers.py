"""Through real FastAPI and Litestar servers: injectkit's markers behind a type alias are
injectkit's (not the framework's query or body parameters)."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from typing_extensions import TypeAliasType

from injectkit import Container, Depends

from . import _scenarios as scenarios
from .conftest import serve_asgi

pytestmark = pytest.mark.anyio


class Session:
    def __init__(self, name: str = "from get_db") -> None:
        self.name = name


class Settings:
    name = "from the container"


def get_db() -> Session:
    return Session()


DB = TypeAliasType("DB", Annotated[Session, Depends(get_db)])
Database = TypeAliasType("Database", DB)


def container() -> Container:
    made = Container()
    made.register(Settings)
    return made


async def test_fastapi_reads_injectkits_markers_through_aliases() -> None:
    """A FastAPI handler's alias of Depends and of FromContainer is injected by injectkit."""
    from fastapi import FastAPI

    from injectkit.integrations.fastapi import FromContainer, inject, setup

    Config = TypeAliasType("Config", FromContainer[Settings])
    app = FastAPI()

    @app.get("/items/{item_id}")
    @inject
    async def item(item_id: int, db: Database, settings: Config, q: str = "") -> dict[str, Any]:
        return {"item_id": item_id, "db": db.name, "settings": settings.name, "q": q}

    setup(app, container())
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/items/3", params={"q": "x"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "item_id": 3,
        "db": "from get_db",
        "settings": "from the container",
        "q": "x",
    }


async def test_litestar_reads_injectkits_markers_through_aliases() -> None:
    """A Litestar handler's alias of Depends is injected by injectkit."""
    from litestar import Litestar, get
    from litestar.params import FromPath

    from injectkit.integrations.litestar import inject, setup

    @get("/items/{item_id:int}")
    @inject
    async def item(item_id: FromPath[int], db: Database) -> dict[str, Any]:
        return {"item_id": item_id, "db": db.name}

    app = Litestar(route_handlers=[item])
    setup(app, container())
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/items/3")
    assert response.status_code == 200, response.text
    assert response.json() == {"item_id": 3, "db": "from get_db"}
