"""Flask and aiohttp apps built in a factory function under ``from __future__ import
annotations``: the route's own annotations name what the factory defines or imports (a
local class, ``BackgroundTasks`` imported inside the factory), and a class-based view's
method names its factory's classes too. Served by werkzeug's server and aiohttp's runner
on 127.0.0.1, called with httpx."""

from __future__ import annotations

from typing import Any

import flask
import flask.views
import httpx
import pytest
from aiohttp import web

from injectkit import Container
from injectkit.integrations import aiohttp as ik_aiohttp
from injectkit.integrations import flask as ik_flask

from .conftest import serve_wsgi as running_flask
from .test_aiohttp import running as running_aiohttp


def make_flask_app() -> flask.Flask:
    """A Flask app whose routes' annotations name the factory's own class and import."""
    from injectkit import BackgroundTasks

    class Settings:
        dsn = "sqlite://"

    container = Container()
    container.register(Settings, scope="app")
    app = flask.Flask(__name__)

    @app.get("/dsn")
    @ik_flask.inject
    def dsn(settings: Settings, tasks: BackgroundTasks) -> dict[str, Any]:
        return {"dsn": settings.dsn}

    class DsnView(flask.views.MethodView):
        @ik_flask.inject
        def get(self, settings: Settings) -> dict[str, Any]:
            return {"dsn": settings.dsn, "view": type(self).__name__}

    app.add_url_rule("/view", view_func=DsnView.as_view("dsn_view"))
    ik_flask.setup(app, container, close_at_exit=False)
    return app


def make_aiohttp_app() -> web.Application:
    """An aiohttp app whose handler and view method name the factory's own class."""
    from injectkit import BackgroundTasks

    class Settings:
        dsn = "sqlite://"

    container = Container()
    container.register(Settings, scope="app")

    @ik_aiohttp.inject
    async def dsn(settings: Settings, tasks: BackgroundTasks) -> web.Response:
        return web.json_response({"dsn": settings.dsn})

    class DsnView(web.View):
        @ik_aiohttp.inject
        async def get(self, settings: Settings) -> web.Response:
            return web.json_response({"dsn": settings.dsn, "view": type(self).__name__})

    app = web.Application()
    app.router.add_get("/dsn", dsn)
    app.router.add_view("/view", DsnView)
    ik_aiohttp.setup(app, container)
    return app


def test_flask_routes_annotations_naming_factory_locals_resolve() -> None:
    """The Flask app starts and serves both routes with the factory's Settings."""
    with running_flask(make_flask_app()) as url:
        assert httpx.get(f"{url}/dsn").json() == {"dsn": "sqlite://"}
        assert httpx.get(f"{url}/view").json() == {"dsn": "sqlite://", "view": "DsnView"}


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
async def test_aiohttp_handlers_annotations_naming_factory_locals_resolve() -> None:
    """The aiohttp app starts and serves the handler and the view with the factory's class."""
    async with running_aiohttp(make_aiohttp_app()) as url, httpx.AsyncClient() as client:
        assert (await client.get(f"{url}/dsn")).json() == {"dsn": "sqlite://"}
        view = (await client.get(f"{url}/view")).json()
        assert view == {"dsn": "sqlite://", "view": "DsnView"}
