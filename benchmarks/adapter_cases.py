"""One app per (framework, wiring), each serving :mod:`benchmarks.adapter_graph`'s endpoint.

Each builder returns the app (an ASGI or WSGI callable).  "by hand" is the endpoint as a
user of that framework writes it without a DI library: it makes the session, closes it,
and queues the tasks with the framework's own background tasks; the app-scoped
``Settings`` is a module-level object made at start-up.  "injectkit" is the same endpoint
through the framework's injectkit adapter; "Depends" is FastAPI's own resolver.
"""

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from benchmarks import adapter_graph as graph
from benchmarks.adapter_graph import Session, Settings, record


@dataclass(frozen=True)
class AdapterCase:
    framework: str
    wiring: str  # "by hand", "injectkit" or "Depends"
    interface: str  # "asgi" or "wsgi"
    build: Callable[[], Any]
    note: str = ""  # what differs in what the wiring does, shown under the table

    @property
    def key(self) -> str:
        return f"{self.framework.lower()}-{self.wiring.split()[-1].lower()}"


def _container() -> Any:
    from injectkit import Container

    container = Container()
    container.register(Settings, scope="app")

    def session() -> Iterator[Session]:
        made = Session()
        try:
            yield made
        finally:
            made.close()

    container.register(Session, session, scope="request")
    return container


def _get_query(tasks: Any, q: str | None = None) -> str | None:
    if q:
        tasks.add_task(record, q)
    return q


# --- Starlette ----------------------------------------------------------------------------


def starlette_by_hand() -> Any:
    from starlette.applications import Starlette
    from starlette.background import BackgroundTasks
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    settings = Settings()

    async def item(request: Request) -> JSONResponse:
        tasks = BackgroundTasks()
        session = Session()
        try:
            item_id = int(request.path_params["item_id"])
            q = _get_query(tasks, request.query_params.get("q"))
            tasks.add_task(record, item_id)
            return JSONResponse(graph.body(item_id, q, settings), background=tasks)
        finally:
            session.close()

    return Starlette(routes=[Route("/items/{item_id}", item)])


def starlette_injectkit() -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from injectkit import BackgroundTasks, Depends
    from injectkit.integrations.starlette import inject, setup

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
        return _get_query(tasks, q)

    @inject
    async def item(
        item_id: int,
        tasks: BackgroundTasks,
        session: Session,
        settings: Settings,
        q: Annotated[str | None, Depends(get_query)],
    ) -> dict[str, object]:
        tasks.add_task(record, item_id)
        return graph.body(item_id, q, settings)

    app = Starlette(routes=[Route("/items/{item_id}", item)])
    setup(app, _container())
    return app


# --- FastAPI ------------------------------------------------------------------------------


def fastapi_depends() -> Any:
    import fastapi

    settings_made = Settings()

    # Async dependencies: FastAPI runs a plain `def` one in a worker thread, which would
    # cost it far more; async is its fastest way.
    async def get_settings() -> Settings:
        return settings_made

    async def get_session() -> AsyncIterator[Session]:
        made = Session()
        try:
            yield made
        finally:
            made.close()

    async def get_query(tasks: fastapi.BackgroundTasks, q: str | None = None) -> str | None:
        return _get_query(tasks, q)

    app = fastapi.FastAPI()

    @app.get("/items/{item_id}")
    async def item(
        item_id: int,
        tasks: fastapi.BackgroundTasks,
        session: Annotated[Session, fastapi.Depends(get_session)],
        settings: Annotated[Settings, fastapi.Depends(get_settings)],
        q: Annotated[str | None, fastapi.Depends(get_query)],
    ) -> dict[str, object]:
        tasks.add_task(record, item_id)
        return graph.body(item_id, q, settings)

    return app


def fastapi_injectkit() -> Any:
    import fastapi

    from injectkit import BackgroundTasks, Depends
    from injectkit.integrations.fastapi import FromContainer, inject, setup

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
        return _get_query(tasks, q)

    app = fastapi.FastAPI()

    @app.get("/items/{item_id}")
    @inject
    async def item(
        item_id: int,
        tasks: BackgroundTasks,
        session: FromContainer[Session],
        settings: FromContainer[Settings],
        q: Annotated[str | None, Depends(get_query)],
    ) -> dict[str, object]:
        tasks.add_task(record, item_id)
        return graph.body(item_id, q, settings)

    setup(app, _container())
    return app


# --- Litestar -----------------------------------------------------------------------------


def litestar_by_hand() -> Any:
    from litestar import Litestar, Response, get
    from litestar.background_tasks import BackgroundTask, BackgroundTasks
    from litestar.params import FromPath, FromQuery

    settings = Settings()

    @get("/items/{item_id:int}")
    async def item(
        item_id: FromPath[int], q: FromQuery[str | None] = None
    ) -> Response[dict[str, object]]:
        session = Session()
        try:
            queued = [BackgroundTask(record, item_id)]
            if q:
                queued.insert(0, BackgroundTask(record, q))
            return Response(graph.body(item_id, q, settings), background=BackgroundTasks(queued))
        finally:
            session.close()

    return Litestar(route_handlers=[item])


def litestar_injectkit() -> Any:
    from litestar import Litestar, get
    from litestar.params import FromPath

    from injectkit import BackgroundTasks, Depends
    from injectkit.integrations.litestar import FromContainer, InjectKitPlugin, inject

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
        return _get_query(tasks, q)

    @get("/items/{item_id:int}")
    @inject
    async def item(
        item_id: FromPath[int],
        tasks: BackgroundTasks,
        session: FromContainer[Session],
        settings: FromContainer[Settings],
        q: Annotated[str | None, Depends(get_query)],
    ) -> dict[str, object]:
        tasks.add_task(record, item_id)
        return graph.body(item_id, q, settings)

    return Litestar(route_handlers=[item], plugins=[InjectKitPlugin(_container())])


# --- Flask (WSGI) -------------------------------------------------------------------------


def flask_by_hand() -> Any:
    import flask

    settings = Settings()
    app = flask.Flask("bench")

    @app.get("/items/<int:item_id>")
    def item(item_id: int) -> Any:
        session = Session()
        try:
            queued: list[tuple[Callable[..., Any], Any]] = []
            q = flask.request.args.get("q")
            if q:
                queued.append((record, q))
            queued.append((record, item_id))
            response = flask.jsonify(graph.body(item_id, q, settings))

            # Flask's way of running code after the response: the body's close().
            @response.call_on_close
            def run_tasks() -> None:
                for task, argument in queued:
                    task(argument)

            return response
        finally:
            session.close()

    return app


def flask_injectkit() -> Any:
    import flask

    from injectkit import BackgroundTasks, Depends
    from injectkit.integrations.flask import inject, setup

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
        return _get_query(tasks, q)

    app = flask.Flask("bench")

    @app.get("/items/<int:item_id>")
    @inject
    def item(
        item_id: int,
        tasks: BackgroundTasks,
        session: Session,
        settings: Settings,
        q: Annotated[str | None, Depends(get_query)],
    ) -> Any:
        tasks.add_task(record, item_id)
        return flask.jsonify(graph.body(item_id, q, settings))

    setup(app, _container(), close_at_exit=False)
    return app


# --- Falcon (ASGI) --------------------------------------------------------------------------


def falcon_by_hand() -> Any:
    import falcon.asgi

    settings = Settings()

    class Item:
        async def on_get(self, req: Any, resp: Any, item_id: int) -> None:
            session = Session()
            try:
                q = req.get_param("q")
                if q:
                    resp.schedule_sync(functools.partial(record, q))
                resp.schedule_sync(functools.partial(record, item_id))
                resp.media = graph.body(item_id, q, settings)
            finally:
                session.close()

    app = falcon.asgi.App()
    app.add_route("/items/{item_id:int}", Item())
    return app


def falcon_injectkit() -> Any:
    import falcon.asgi

    from injectkit import BackgroundTasks, Depends
    from injectkit.integrations.falcon import inject, setup

    def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
        return _get_query(tasks, q)

    class Item:
        @inject
        async def on_get(
            self,
            req: falcon.asgi.Request,
            resp: falcon.asgi.Response,
            item_id: int,
            tasks: BackgroundTasks,
            session: Session,
            settings: Settings,
            q: Annotated[str | None, Depends(get_query)],
        ) -> None:
            tasks.add_task(record, item_id)
            resp.media = graph.body(item_id, q, settings)

    app = falcon.asgi.App()
    app.add_route("/items/{item_id:int}", Item())
    setup(app, _container())
    return app


CASES: tuple[AdapterCase, ...] = (
    AdapterCase("Starlette", "by hand", "asgi", starlette_by_hand),
    AdapterCase("Starlette", "injectkit", "asgi", starlette_injectkit),
    AdapterCase("FastAPI", "Depends", "asgi", fastapi_depends),
    AdapterCase("FastAPI", "injectkit", "asgi", fastapi_injectkit),
    AdapterCase(
        "Litestar",
        "by hand",
        "asgi",
        litestar_by_hand,
        note="Litestar runs a sync background task with asyncio's executor "
        "(`loop.run_in_executor`); injectkit runs it in an anyio worker thread (which also "
        "serves trio), and that costs two more event-loop turns per task: cProfile counts 8 "
        "loop iterations per request against Litestar's 4.",
    ),
    AdapterCase("Litestar", "injectkit", "asgi", litestar_injectkit),
    AdapterCase(
        "Falcon",
        "by hand",
        "asgi",
        falcon_by_hand,
        note="Falcon's `resp.schedule_sync` hands each task to the event loop's executor "
        "and does not wait for it: the app's call returns before the tasks have run, in no "
        "set order. injectkit runs them in order after the response, each in an anyio "
        "worker thread, and waits for each before closing the session; the Falcon ratio "
        "includes that difference.",
    ),
    AdapterCase("Falcon", "injectkit", "asgi", falcon_injectkit),
    AdapterCase("Flask", "by hand", "wsgi", flask_by_hand),
    AdapterCase("Flask", "injectkit", "wsgi", flask_injectkit),
)

BY_KEY = {case.key: case for case in CASES}
