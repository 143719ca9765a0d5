"""The free parameters injected functions read from the request appear in FastAPI's and
Litestar's OpenAPI schema (type, default, location), and ``NotFromRequest`` keeps one out
of the schema and out of the request reading; on a real uvicorn server with httpx."""

import enum
from typing import Annotated, Any

import fastapi
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide

from injectkit import Container, Depends, NotFromRequest
from injectkit.integrations import fastapi as ik_fastapi
from injectkit.integrations import litestar as ik_litestar

from . import _scenarios as scenarios
from .conftest import serve_asgi

pytestmark = pytest.mark.anyio


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Settings:
    dsn = "sqlite://"


def get_pool(
    settings: Settings,
    item_id: int,
    pool_size: int = 5,
    ratio: float = 0.5,
    colour: Colour = Colour.RED,
    verbose: bool = False,
    tag: str | None = None,
    secret: NotFromRequest[int] = 3,
) -> dict[str, Any]:
    """A sub-dependency: every defaulted scalar here is settable by a client but secret."""
    return {
        "item_id": item_id,
        "pool_size": pool_size,
        "ratio": ratio,
        "colour": colour.value,
        "verbose": verbose,
        "tag": tag,
        "secret": secret,
    }


def make_container() -> Container:
    container = Container()
    container.register(Settings, scope="app")
    return container


def fastapi_app() -> fastapi.FastAPI:
    app = fastapi.FastAPI()

    @app.get("/items/{item_id}")
    @ik_fastapi.inject
    async def item(
        pool: Annotated[dict[str, Any], Depends(get_pool)], q: str = ""
    ) -> dict[str, Any]:
        return pool

    @ik_fastapi.inject
    async def current_user(name: Annotated[str, Depends(lambda user: user)]) -> str:
        """An injected FastAPI dependency whose sub-dependency reads ``user``."""
        return name

    @app.get("/me")
    async def me(user: Annotated[str, fastapi.Depends(current_user)]) -> dict[str, str]:
        return {"user": user}

    ik_fastapi.setup(app, make_container())
    return app


def litestar_app() -> Litestar:
    @get("/items/{item_id:int}")
    @ik_litestar.inject
    async def item(pool: Annotated[dict[str, Any], Depends(get_pool)]) -> dict[str, Any]:
        return pool

    @ik_litestar.inject
    async def current_user(name: Annotated[str, Depends(lambda user: user)]) -> str:
        """An injected Litestar dependency whose sub-dependency reads ``user``."""
        return name

    @get("/me", dependencies={"who": Provide(current_user)})
    async def me(who: NamedDependency[str]) -> dict[str, str]:
        return {"user": who}

    return Litestar(
        [item, me], plugins=[ik_litestar.InjectKitPlugin(make_container())], logging_config=None
    )


APPS = [(fastapi_app, "/openapi.json"), (litestar_app, "/schema/openapi.json")]
IDS = ["fastapi", "litestar"]


def by_name(parameters: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The listed parameters by name, each with only the keys both frameworks write."""
    keys = ("in", "required", "schema", "description")
    return {p["name"]: {k: p[k] for k in keys if k in p} for p in parameters}


def plain(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter schema without FastAPI's title, and Litestar's oneOf spelled anyOf."""
    found = {k: v for k, v in schema.items() if k != "title"}
    if "oneOf" in found:
        found["anyOf"] = found.pop("oneOf")
    return found


async def fetch(app: Any, schema_path: str, *requests: str) -> list[Any]:
    """The OpenAPI document, then the JSON of each request, from the running app."""
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            schema = await client.get(schema_path)
            assert schema.status_code == 200, schema.text
            answers = [schema.json()]
            for path in requests:
                response = await client.get(path)
                assert response.status_code == 200, response.text
                answers.append(response.json())
    return answers


@pytest.mark.parametrize(("make_app", "schema_path"), APPS, ids=IDS)
async def test_openapi_lists_sub_dependency_parameters_with_type_and_default(
    make_app: Any, schema_path: str
) -> None:
    """A sub-dependency's free parameters are in the route's OpenAPI parameters as what
    they are: query parameters with their type and default, a path parameter in the path."""
    (document,) = await fetch(make_app(), schema_path)
    listed = by_name(document["paths"]["/items/{item_id}"]["get"]["parameters"])
    read_by = "Read from the query by get_pool (an injectkit dependency)."
    expected_schemas = {
        "pool_size": {"type": "integer", "default": 5},
        "ratio": {"type": "number", "default": 0.5},
        "colour": {"type": "string", "enum": ["red", "blue"], "default": "red"},
        "verbose": {"type": "boolean", "default": False},
        "tag": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    }
    for name, schema in expected_schemas.items():
        assert plain(listed[name].pop("schema")) == schema, name
        assert listed[name] == {"in": "query", "required": False, "description": read_by}, name
    assert listed["item_id"]["in"] == "path"
    assert listed["item_id"]["required"] is True


@pytest.mark.parametrize(("make_app", "schema_path"), APPS, ids=IDS)
async def test_openapi_lists_what_an_injected_dependency_reads(
    make_app: Any, schema_path: str
) -> None:
    """An injected framework dependency's sub-dependency parameter is listed on the route
    that uses it, as required when it has no default."""
    document, answer = await fetch(make_app(), schema_path, "/me?user=ada")
    listed = by_name(document["paths"]["/me"]["get"]["parameters"])
    assert listed["user"]["in"] == "query"
    assert listed["user"]["required"] is True
    assert answer == {"user": "ada"}


@pytest.mark.parametrize(("make_app", "schema_path"), APPS, ids=IDS)
async def test_not_from_request_is_out_of_the_schema_and_a_request_setting_it_is_ignored(
    make_app: Any, schema_path: str
) -> None:
    """NotFromRequest keeps a parameter out of the schema, and ?secret=… changes nothing
    (it keeps its default) while ?pool_size=… next to it is read."""
    document, answer = await fetch(make_app(), schema_path, "/items/7?secret=99&pool_size=9&tag=x")
    names = [p["name"] for p in document["paths"]["/items/{item_id}"]["get"]["parameters"]]
    assert "secret" not in names
    assert answer["secret"] == 3
    assert (answer["item_id"], answer["pool_size"], answer["tag"]) == (7, 9, "x")
