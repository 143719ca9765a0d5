"""FastAPI: a 422 for an injectkit parameter is FastAPI's own 422.

The same parameters (a path int, a required query int, a float, a bool, an enum) are
declared once as FastAPI's and once as free parameters of an injectkit dependency; bad
and missing values give the same body, and a custom ``RequestValidationError`` handler
gets the same ``exc.errors()`` (``loc`` a tuple it can key by, ``input`` always there).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from injectkit import Container, Depends
from injectkit.integrations.fastapi import inject, setup

from .conftest import TIMEOUT, serve_asgi

pytestmark = pytest.mark.anyio

BAD = "/{kind}/not-a-number?x=wide&b=maybe&c=green"  # n missing; p, x, b and c bad


class Color(enum.Enum):
    red = "red"
    blue = "blue"


def build_app(custom_handler: bool) -> FastAPI:
    """``/fastapi/{p}`` declares the parameters for FastAPI, ``/injectkit/{p}`` for injectkit."""
    app = FastAPI()

    @app.get("/fastapi/{p}")
    async def with_fastapi(
        p: int, n: int, x: float = 1.0, b: bool = False, c: Color = Color.red
    ) -> dict[str, Any]:
        return {"p": p, "n": n}

    def paging(p: int, n: int, x: float = 1.0, b: bool = False, c: Color = Color.red) -> int:
        return p * n

    @app.get("/injectkit/{p}")
    @inject
    async def with_injectkit(product: Annotated[int, Depends(paging)]) -> dict[str, Any]:
        return {"product": product}

    if custom_handler:

        @app.exception_handler(RequestValidationError)
        async def by_location(request: Request, exc: RequestValidationError) -> JSONResponse:
            # A handler written against FastAPI's errors: loc is a tuple, input always set.
            errors = {error["loc"]: error["input"] for error in exc.errors()}
            return JSONResponse({"/".join(loc): value for loc, value in errors.items()}, 422)

    setup(app, Container())
    return app


async def both_answers(app: FastAPI, path: str) -> tuple[httpx.Response, httpx.Response]:
    with serve_asgi(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            fastapi = await client.get(path.format(kind="fastapi"))
            injectkit = await client.get(path.format(kind="injectkit"))
    return fastapi, injectkit


async def test_bad_and_missing_injectkit_parameters_give_fastapis_422_body(
    anyio_backend: str,
) -> None:
    """Bad and missing values: injectkit's 422 body equals FastAPI's for the same parameters."""
    fastapi, injectkit = await both_answers(build_app(custom_handler=False), BAD)
    assert fastapi.status_code == injectkit.status_code == 422
    assert [e["type"] for e in fastapi.json()["detail"]] == [
        "int_parsing",
        "missing",
        "float_parsing",
        "bool_parsing",
        "enum",
    ]
    assert injectkit.json() == fastapi.json()


async def test_custom_validation_handler_indexes_injectkit_errors_by_location(
    anyio_backend: str,
) -> None:
    """A RequestValidationError handler keyed by loc gets injectkit's errors as FastAPI's."""
    fastapi, injectkit = await both_answers(build_app(custom_handler=True), BAD)
    assert injectkit.status_code == 422, injectkit.text
    assert (
        injectkit.json()
        == fastapi.json()
        == {
            "path/p": "not-a-number",
            "query/n": None,
            "query/x": "wide",
            "query/b": "maybe",
            "query/c": "green",
        }
    )


def mixed_app(handler: str) -> FastAPI:
    """``/mixed`` reads ``limit`` for FastAPI and ``size`` for injectkit; ``handler``:
    the app's own RequestValidationError handler, registered "before" or "after" setup,
    or "none"."""
    app = FastAPI()

    def sized(size: int) -> int:
        return size

    @app.get("/mixed")
    @inject
    async def mixed(limit: int, size: Annotated[int, Depends(sized)]) -> dict[str, int]:
        return {"limit": limit, "size": size}

    async def by_location(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"locations": [list(e["loc"]) for e in exc.errors()]}, 422)

    if handler == "before":
        app.add_exception_handler(RequestValidationError, by_location)  # type: ignore[arg-type]
    setup(app, Container())
    if handler == "after":
        app.add_exception_handler(RequestValidationError, by_location)  # type: ignore[arg-type]
    return app


@pytest.mark.parametrize("handler", ["none", "before", "after"])
async def test_when_both_are_bad_one_422_lists_fastapis_and_injectkits_parameters(
    anyio_backend: str, handler: str
) -> None:
    """FastAPI's and injectkit's parameters both bad: one 422 lists both, FastAPI's first,
    through FastAPI's own handler or the app's, registered before or after setup; when
    only injectkit's is bad, it is listed once."""
    with serve_asgi(mixed_app(handler)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
            both_bad = await client.get("/mixed?limit=x&size=y")
            injectkits_bad = await client.get("/mixed?limit=1&size=y")
            fastapis_bad = await client.get("/mixed?limit=x&size=2")
            good = await client.get("/mixed?limit=1&size=2")
    assert both_bad.status_code == injectkits_bad.status_code == fastapis_bad.status_code == 422

    def locations(response: httpx.Response) -> list[list[str]]:
        if handler == "none":
            return [e["loc"] for e in response.json()["detail"]]
        locs: list[list[str]] = response.json()["locations"]
        return locs

    assert locations(both_bad) == [["query", "limit"], ["query", "size"]]
    assert locations(injectkits_bad) == [["query", "size"]]
    assert locations(fastapis_bad) == [["query", "limit"]]
    assert good.json() == {"limit": 1, "size": 2}
    if handler == "none":
        size_error = both_bad.json()["detail"][1]
        assert size_error == {
            "type": "int_parsing",
            "loc": ["query", "size"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "y",
        }
