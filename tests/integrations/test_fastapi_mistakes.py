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


class Plain:
    """A registered plain class: FastAPI alone says "Invalid args for response field!"."""


def test_core_inject_on_a_fastapi_route_fails_at_the_route_decorator() -> None:
    """@container.inject on a route, whatever its parameters' types (a plain class FastAPI
    cannot read, a dataclass it would read as a body, injectkit's markers), or on a
    fastapi.Depends dependency: an InjectionError at @app.get naming the function, the
    parameter and the adapter's inject, not FastAPI's "Invalid args for response field!"."""
    container = make_container(Recorder(), HTTPConnection)
    container.register(Plain)
    container.register(Config)
    app = FastAPI()

    def route_of(handler: object) -> InjectionError:
        with pytest.raises(InjectionError) as raised:
            app.post("/route")(handler)
        return raised.value

    @container.inject
    async def plain(value: Plain) -> str: ...

    @container.inject
    async def body(config: Config) -> str: ...

    @container.inject
    async def marked(db: Annotated[str, injectkit.Depends(get_db)]) -> str: ...

    @container.inject
    async def tasks(tasks: injectkit.BackgroundTasks) -> None: ...

    @container.inject
    def current_name(config: Config) -> str:
        return config.name

    async def other(name: Annotated[str, fastapi.Depends(current_name)]) -> str: ...

    cases = [(plain, "value", "plain"), (body, "config", "body"), (marked, "db", "marked")]
    cases += [(tasks, "tasks", "tasks"), (other, "config", "current_name")]
    for handler, parameter, function in cases:
        error = route_of(handler)
        assert (
            f"reading parameter `{parameter}` of {function} as a request field: {function} "
            "is decorated with container.inject, the core decorator"
        ) in " ".join(str(error).split())
        assert error.path == (function,)
        assert error.hint is not None
        assert "the FastAPI adapter's inject instead" in error.hint


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the client side; uvicorn is asyncio
async def test_core_inject_on_a_route_fastapi_fills_without_pydantic_stops_startup(
    recorder: Recorder, anyio_backend: str
) -> None:
    """@container.inject on a route whose parameters FastAPI fills itself without asking
    pydantic (its Request): the route decorator cannot tell, so start-up stops, naming it."""
    container = make_container(recorder, HTTPConnection)
    app = FastAPI()

    @app.get("/path")
    @container.inject
    async def path(request: fastapi.Request) -> str:
        return request.url.path

    setup(app, container)
    log = " ".join(scenarios.startup_failure_log(app).split())
    assert "path is a FastAPI route or dependency decorated with container.inject" in log
    assert "decorate it with the FastAPI adapter's inject instead" in log


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
