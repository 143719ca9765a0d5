"""FastAPI's day-one mistakes are InjectionErrors saying what happened and what to write,
instead of FastAPI's "Invalid args for response field!" or a route that starts and
silently reads injectkit's parameters from the query string."""

from dataclasses import dataclass
from typing import Annotated

import fastapi
import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import HTTPConnection

import injectkit
from injectkit import InjectionError
from injectkit.integrations.fastapi import FromContainer, inject, setup

from . import _scenarios as scenarios
from .conftest import TIMEOUT, Recorder, Session, make_container, serve_asgi


def get_db(session: Session) -> Session:
    """An injectkit dependency: its parameter is a type the container provides."""
    return session


def test_fastapi_depends_on_an_injectkit_dependency_says_write_injectkit_depends() -> None:
    """fastapi.Depends(get_db) over a container type names get_db's parameter and the fix."""
    app = FastAPI()
    with pytest.raises(InjectionError) as raised:

        @app.get("/user")
        @inject
        async def user(db: Annotated[Session, fastapi.Depends(get_db)]) -> str: ...

    message = str(raised.value)
    assert "FastAPI cannot fill `session: Session` of get_db" in message
    assert "marked fastapi.Depends(get_db)" in message
    assert raised.value.path == ("user", "get_db")
    assert raised.value.hint is not None
    assert "write injectkit.Depends(get_db) (from injectkit import Depends)" in raised.value.hint


def test_fastapi_depends_through_a_fastapi_dependency_names_the_whole_chain() -> None:
    """A refused parameter two fastapi.Depends deep is named with the chain to it."""

    def outer(db: Annotated[Session, fastapi.Depends(get_db)]) -> Session:
        return db

    app = FastAPI()
    with pytest.raises(InjectionError, match="`session: Session` of get_db") as raised:

        @app.get("/user")
        @inject
        async def user(db: Annotated[Session, fastapi.Depends(outer)]) -> str: ...

    assert raised.value.path == ("user", "outer", "get_db")


def test_unmarked_container_type_on_an_injected_route_says_write_from_container() -> None:
    """`db: Session` on an @inject route (FastAPI's parameter) suggests FromContainer."""
    app = FastAPI()
    with pytest.raises(InjectionError) as raised:

        @app.get("/user")
        @inject
        async def user(name: str, db: Session) -> str: ...

    assert "FastAPI cannot read `db: Session` of user" in str(raised.value)
    assert raised.value.hint is not None
    assert "write `db: FromContainer[Session]`" in raised.value.hint


@dataclass
class Config:
    """A registered type FastAPI can also read (as a JSON body)."""

    name: str = "from the container"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the client side; uvicorn is asyncio
async def test_core_inject_on_a_fastapi_route_stops_startup(
    recorder: Recorder, anyio_backend: str
) -> None:
    """@container.inject on a route or a FastAPI dependency stops start-up, naming both."""
    container = make_container(recorder, HTTPConnection)
    container.register(Config)

    @container.inject
    def current_name(config: Config) -> str:
        return config.name

    app = FastAPI()

    @app.post("/name")
    @container.inject
    async def read_name(config: Config) -> str:
        return config.name  # FastAPI alone would read `config` from the request body

    @app.get("/other")
    async def other(name: Annotated[str, fastapi.Depends(current_name)]) -> str:
        return name

    setup(app, container)
    log = scenarios.startup_failure_log(app)
    assert "read_name is a FastAPI route or dependency decorated with container.inject" in log
    assert (
        "current_name is a FastAPI route or dependency decorated with\n   container.inject" in log
    )
    assert "decorate it with the FastAPI adapter's inject instead" in log


def test_core_inject_on_a_route_with_injectkit_markers_fails_at_the_route_decorator() -> None:
    """injectkit.Depends or BackgroundTasks read by FastAPI: an InjectionError, not pydantic's."""
    container = make_container(Recorder(), HTTPConnection)
    app = FastAPI()
    with pytest.raises(
        InjectionError, match=r"reading a parameter marked\nDepends\(get_db\) as a request field"
    ):

        @app.get("/user")
        @container.inject
        async def user(db: Annotated[str, injectkit.Depends(get_db)]) -> str: ...

    with pytest.raises(
        InjectionError, match=r"of type\ninjectkit\.BackgroundTasks as a request field"
    ) as raised:

        @app.get("/tasks")
        @container.inject
        async def tasks(tasks: injectkit.BackgroundTasks) -> None: ...

    assert raised.value.hint is not None
    assert "use the adapter's inject" in raised.value.hint


@pytest.mark.parametrize("order", ["inject above the route decorator", "no inject"])
def test_from_container_read_by_fastapi_says_where_inject_goes(order: str) -> None:
    """FromContainer on a function FastAPI reads itself: an InjectionError placing @inject."""
    app = FastAPI()

    async def user(db: FromContainer[Session]) -> str: ...

    with pytest.raises(InjectionError, match=r"reading a FromContainer\[Session\]") as raised:
        if order == "no inject":
            app.get("/user")(user)
        else:
            inject(app.get("/user")(user))
    assert raised.value.hint is not None
    assert "under the route decorator: @app.get(...), then @inject" in raised.value.hint


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_suggested_spelling_serves(recorder: Recorder, anyio_backend: str) -> None:
    """What the errors suggest (adapter's inject, injectkit.Depends) serves the request."""
    app = FastAPI()

    @app.get("/user")
    @inject
    async def user(db: Annotated[Session, injectkit.Depends(get_db)]) -> str:
        return type(db).__name__

    setup(app, make_container(recorder, HTTPConnection))
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(f"{url}/user", params={"tag": "a"})
    assert response.json() == "Session"
