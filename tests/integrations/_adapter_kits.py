"""One kit per web adapter: it builds that framework's app for the shared scenarios
(``test_adapter_scenarios.py``) and serves it with the real server the adapter's own test
file uses (uvicorn, werkzeug's threaded WSGI server, aiohttp's runner).

Every kit serves the same routes over the same container (:func:`scenario_container`):

- ``POST /notify/{email}``: adds a task that blocks at the gate; its sub-dependency adds
  a task when ``q`` is given and returns the id of the BackgroundTasks it got;
- ``GET /fail``: adds a task, then raises ``RuntimeError``;
- ``GET /disconnect``: records ``handler waiting``, then waits for the client to leave
  where the framework tells the handler, or else for the gate;
- ``GET /whoami?n=``: waits until ``Plan.in_flight`` requests are in their handlers at
  once, then answers its session (and the one its sub-dependency saw);
- with ``Plan.broken``, only ``GET /broken`` (under an included URLconf on Django), whose
  handler's sub-dependency needs an unregistered type.

The handlers differ only in what each framework asks of a handler's signature; what they
do is in :class:`Routes`.
"""

import asyncio
import itertools
import sys
import threading
import types
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

import aiohttp.web
import anyio.to_thread
import django
import falcon
import falcon.asgi
import fastapi
import flask
import litestar
import litestar.connection
import litestar.params
import starlette.applications
import starlette.requests
import starlette.routing
from django.conf import settings as django_settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.test import override_settings
from django.urls import include
from django.urls import path as django_path

from injectkit import BackgroundTasks, Container, Depends
from injectkit.integrations import aiohttp as aiohttp_adapter
from injectkit.integrations import django as django_adapter
from injectkit.integrations import falcon as falcon_adapter
from injectkit.integrations import fastapi as fastapi_adapter
from injectkit.integrations import flask as flask_adapter
from injectkit.integrations import litestar as litestar_adapter
from injectkit.integrations import starlette as starlette_adapter

from . import _scenarios as scenarios
from .conftest import LISTEN_BACKLOG, TIMEOUT, Gate, Recorder, Settings, serve_asgi, serve_wsgi

BOTH_BACKENDS = ("asyncio", "trio")
BIG_BODY = "x" * 100_000  # more than a socket buffer: writing it to a gone client fails

# --- the graph ------------------------------------------------------------------------------


class Session:
    """A request-scoped resource with a finalizer; ``tag`` is its request's ``tag`` query
    parameter, read from the framework's request object."""

    def __init__(self, tag: str) -> None:
        self.token = uuid.uuid4().hex
        self.tag = tag


class Unregistered:
    """A type no provider gives: a handler needing it is a broken graph."""


def repository(thing: Unregistered) -> str:
    raise AssertionError("never called")


Broken = Annotated[str, Depends(repository)]
"""What the broken handler needs: a sub-dependency that needs :class:`Unregistered`."""


def scenario_container(
    recorder: Recorder,
    connection: type,
    query_of: Callable[[Any], Mapping[str, str]],
    *,
    asynchronous: bool = True,
) -> Container:
    """Settings (app scope: ``settings closed`` when it closes; an async generator unless
    the adapter resolves graphs synchronously) and Session (request scope, built from the
    ``connection`` the framework resolves: ``session opened <tag>``, then ``session closed
    <tag>``, or ``session closed after <Error>`` when the request failed)."""
    container = Container()

    async def async_settings() -> AsyncIterator[Settings]:
        yield Settings()
        recorder("settings closed")

    def sync_settings() -> Iterator[Settings]:
        yield Settings()
        recorder("settings closed")

    settings = async_settings if asynchronous else sync_settings

    def session(request: Any) -> Iterator[Session]:
        tag = query_of(request).get("tag", "")
        recorder(f"session opened {tag}".strip())
        try:
            yield Session(tag)
        except BaseException as exc:
            recorder(f"session closed after {type(exc).__name__}")
            raise
        recorder(f"session closed {tag}".strip())

    session.__annotations__["request"] = connection
    container.register(Settings, settings, scope="app")
    container.register(Session, session)
    return container


def token_of(session: Session) -> str:
    return session.token


Via = Annotated[str, Depends(token_of)]
"""The session's token as a sub-dependency sees it."""


@dataclass(frozen=True)
class Plan:
    """What a scenario asks a kit to serve."""

    recorder: Recorder
    gate: Gate
    in_flight: int = 1  # how many ``/whoami`` requests wait for each other
    broken: bool = False  # serve only ``/broken``


class Routes:
    """What the scenario routes do, whatever the framework; each kit's handlers call these."""

    def __init__(self, plan: Plan) -> None:
        self.recorder = plan.recorder
        self.gate = plan.gate
        self.blocking_task = scenarios.blocking_task(plan.recorder, plan.gate)
        self.QueryTasks = Annotated[int, Depends(scenarios.query_task(plan.recorder))]
        self.all_in_flight = scenarios.AllInFlight(plan.in_flight)  # for async handlers
        self.all_in = threading.Barrier(plan.in_flight, timeout=TIMEOUT)  # for threads

    def notify(self, email: str, tasks: BackgroundTasks, seen: int) -> dict[str, Any]:
        self.recorder("handler")
        tasks.add_task(self.blocking_task, f"task for {email}")
        return {"email": email, "same_tasks": seen == id(tasks)}

    def fail(self, tasks: BackgroundTasks) -> NoReturn:
        tasks.add_task(self.recorder, "dropped task")
        raise RuntimeError("handler failed")

    @staticmethod
    def whoami(n: int, session: Session, via: str, settings: Settings) -> dict[str, Any]:
        return {
            "n": n,
            "tag": session.tag,
            "session": session.token,
            "via_dependency": via,
            "settings": id(settings),
        }

    def wait_at_the_gate(self) -> str:
        """A handler that cannot tell the client left: it waits for the gate."""
        self.recorder("handler waiting")
        self.gate.wait()
        self.recorder("handler released")
        return BIG_BODY

    async def await_the_gate(self) -> str:
        return await anyio.to_thread.run_sync(self.wait_at_the_gate)


# --- kits -------------------------------------------------------------------------------------


class Kit:
    """How one adapter's app is built for a :class:`Plan` and served."""

    name: str
    backends: tuple[str, ...] = BOTH_BACKENDS
    broken_handler = "broken"  # how the error names the broken handler
    # What the disconnect handler records once the client left, then the finalizer's event.
    disconnect = ("handler released", "session closed")
    error_page = "Internal Server Error"  # in the body of the framework's own 500

    def serving(self, plan: Plan) -> AbstractAsyncContextManager[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class AsgiKit(Kit):
    """An ASGI framework under uvicorn (the lifespan opens and closes the app scope)."""

    @asynccontextmanager
    async def serving(self, plan: Plan) -> AsyncIterator[str]:
        with serve_asgi(self.app(plan)) as url:
            yield url

    def app(self, plan: Plan) -> Any:
        raise NotImplementedError


class WsgiKit(Kit):
    """A WSGI app under werkzeug; the container closes when the server has stopped, as a
    WSGI server's shutdown hook would (the adapters' exit hook is tested in their files)."""

    @asynccontextmanager
    async def serving(self, plan: Plan) -> AsyncIterator[str]:
        container = self.container(plan.recorder)
        try:
            with serve_wsgi(self.app(plan, container)) as url:
                yield url
        finally:
            container.close()

    def container(self, recorder: Recorder) -> Container:
        raise NotImplementedError

    def app(self, plan: Plan, container: Container) -> Any:
        raise NotImplementedError


class StarletteKit(AsgiKit):
    name = "starlette"
    disconnect = ("handler saw the disconnect", "session closed")

    def app(self, plan: Plan) -> Any:
        inject = starlette_adapter.inject
        routes = Routes(plan)

        @inject
        async def notify(
            email: str,
            tasks: BackgroundTasks,
            session: Session,
            settings: Settings,
            seen: routes.QueryTasks,
        ) -> dict[str, Any]:
            return routes.notify(email, tasks, seen)

        @inject
        async def fail(tasks: BackgroundTasks, session: Session) -> None:
            routes.fail(tasks)

        @inject
        async def disconnect(request: starlette.requests.Request, session: Session) -> None:
            routes.recorder("handler waiting")
            while (await request.receive())["type"] != "http.disconnect":
                pass
            routes.recorder("handler saw the disconnect")

        @inject
        async def whoami(n: int, session: Session, via: Via, settings: Settings) -> dict[str, Any]:
            await routes.all_in_flight.arrive()
            return routes.whoami(n, session, via, settings)

        @inject
        async def broken(repo: Broken) -> None:
            raise AssertionError("never called")

        Route = starlette.routing.Route
        app = starlette.applications.Starlette(
            routes=[Route("/broken", broken)]
            if plan.broken
            else [
                Route("/notify/{email}", notify, methods=["POST"]),
                Route("/fail", fail),
                Route("/disconnect", disconnect),
                Route("/whoami", whoami),
            ]
        )
        starlette_adapter.setup(
            app,
            scenario_container(
                plan.recorder, starlette.requests.HTTPConnection, lambda c: c.query_params
            ),
        )
        return app


class FastApiKit(AsgiKit):
    name = "fastapi"
    disconnect = ("handler saw the disconnect", "session closed")

    def app(self, plan: Plan) -> Any:
        inject, FromContainer = fastapi_adapter.inject, fastapi_adapter.FromContainer
        routes = Routes(plan)
        app = fastapi.FastAPI()

        if plan.broken:

            @app.get("/broken")
            @inject
            async def broken(repo: Broken) -> None:
                raise AssertionError("never called")

        else:

            @app.post("/notify/{email}")
            @inject
            async def notify(
                email: str,
                tasks: BackgroundTasks,
                session: FromContainer[Session],
                settings: FromContainer[Settings],
                seen: routes.QueryTasks,
            ) -> dict[str, Any]:
                return routes.notify(email, tasks, seen)

            @app.get("/fail")
            @inject
            async def fail(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
                routes.fail(tasks)

            @app.get("/disconnect")
            @inject
            async def disconnect(request: fastapi.Request, session: FromContainer[Session]) -> None:
                routes.recorder("handler waiting")
                while (await request.receive())["type"] != "http.disconnect":
                    pass
                routes.recorder("handler saw the disconnect")

            @app.get("/whoami")
            @inject
            async def whoami(
                n: int, session: FromContainer[Session], via: Via, settings: FromContainer[Settings]
            ) -> dict[str, Any]:
                await routes.all_in_flight.arrive()
                return routes.whoami(n, session, via, settings)

        fastapi_adapter.setup(
            app,
            scenario_container(
                plan.recorder, starlette.requests.HTTPConnection, lambda c: c.query_params
            ),
        )
        return app


class LitestarKit(AsgiKit):
    name = "litestar"
    disconnect = ("handler saw the disconnect", "session closed")

    def app(self, plan: Plan) -> Any:
        inject, FromContainer = litestar_adapter.inject, litestar_adapter.FromContainer
        FromPath, FromQuery = litestar.params.FromPath, litestar.params.FromQuery
        routes = Routes(plan)

        @litestar.post("/notify/{email:str}", status_code=200)
        @inject
        async def notify(
            email: FromPath[str],
            tasks: BackgroundTasks,
            session: FromContainer[Session],
            settings: FromContainer[Settings],
            seen: routes.QueryTasks,
        ) -> dict[str, Any]:
            return routes.notify(email, tasks, seen)

        @litestar.get("/fail")
        @inject
        async def fail(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
            routes.fail(tasks)

        @litestar.get("/disconnect")
        @inject
        async def disconnect(request: litestar.Request, session: FromContainer[Session]) -> None:
            routes.recorder("handler waiting")
            while (await request.receive())["type"] != "http.disconnect":
                pass
            routes.recorder("handler saw the disconnect")

        @litestar.get("/whoami")
        @inject
        async def whoami(
            n: FromQuery[int],
            session: FromContainer[Session],
            via: Via,
            settings: FromContainer[Settings],
        ) -> dict[str, Any]:
            await routes.all_in_flight.arrive()
            return routes.whoami(n, session, via, settings)

        @litestar.get("/broken")
        @inject
        async def broken(repo: Broken) -> None:
            raise AssertionError("never called")

        container = scenario_container(
            plan.recorder, litestar.connection.ASGIConnection, lambda c: c.query_params
        )
        handlers = [broken] if plan.broken else [notify, fail, disconnect, whoami]
        return litestar.Litestar(handlers, plugins=[litestar_adapter.InjectKitPlugin(container)])


class FlaskKit(WsgiKit):
    name = "flask"

    def container(self, recorder: Recorder) -> Container:
        return scenario_container(recorder, flask.Request, lambda r: r.args, asynchronous=False)

    def app(self, plan: Plan, container: Container) -> Any:
        inject = flask_adapter.inject
        routes = Routes(plan)
        app = flask.Flask(__name__)

        if plan.broken:

            @app.get("/broken")
            @inject
            def broken(repo: Broken) -> None:
                raise AssertionError("never called")

        else:

            @app.post("/notify/<email>")
            @inject
            def notify(
                email: str,
                tasks: BackgroundTasks,
                session: Session,
                settings: Settings,
                seen: routes.QueryTasks,
            ) -> dict[str, Any]:
                return routes.notify(email, tasks, seen)

            @app.get("/fail")
            @inject
            def fail(tasks: BackgroundTasks, session: Session) -> None:
                routes.fail(tasks)

            @app.get("/disconnect")
            @inject
            def disconnect(session: Session) -> str:
                return routes.wait_at_the_gate()

            @app.get("/whoami")
            @inject
            def whoami(n: int, session: Session, via: Via, settings: Settings) -> dict[str, Any]:
                routes.all_in.wait()
                return routes.whoami(n, session, via, settings)

        flask_adapter.setup(app, container, close_at_exit=False)
        return app


class AiohttpKit(Kit):
    """aiohttp's own runner, on the test's event loop: asyncio only."""

    name = "aiohttp"
    backends = ("asyncio",)
    error_page = "500 Internal Server Error"

    @asynccontextmanager
    async def serving(self, plan: Plan) -> AsyncIterator[str]:
        runner = aiohttp.web.AppRunner(self.app(plan))
        try:
            await runner.setup()  # the adapter checks every handler's graph here
            site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0, backlog=LISTEN_BACKLOG)
            await site.start()
            host, port = runner.addresses[0][:2]
            yield f"http://{host}:{port}"
        finally:
            await runner.cleanup()

    def app(self, plan: Plan) -> aiohttp.web.Application:
        inject, json = aiohttp_adapter.inject, aiohttp.web.json_response
        routes = Routes(plan)

        @inject
        async def notify(
            email: str,
            tasks: BackgroundTasks,
            session: Session,
            settings: Settings,
            seen: routes.QueryTasks,
        ) -> aiohttp.web.Response:
            return json(routes.notify(email, tasks, seen))

        @inject
        async def fail(tasks: BackgroundTasks, session: Session) -> aiohttp.web.Response:
            routes.fail(tasks)

        @inject
        async def disconnect(session: Session) -> aiohttp.web.Response:
            return aiohttp.web.Response(text=await routes.await_the_gate())

        @inject
        async def whoami(
            n: int, session: Session, via: Via, settings: Settings
        ) -> aiohttp.web.Response:
            await routes.all_in_flight.arrive()
            return json(routes.whoami(n, session, via, settings))

        @inject
        async def broken(repo: Broken) -> aiohttp.web.Response:
            raise AssertionError("never called")

        app = aiohttp.web.Application()
        if plan.broken:
            app.router.add_get("/broken", broken)
        else:
            app.router.add_post("/notify/{email}", notify)
            app.router.add_get("/fail", fail)
            app.router.add_get("/disconnect", disconnect)
            app.router.add_get("/whoami", whoami)
        aiohttp_adapter.setup(
            app, scenario_container(plan.recorder, aiohttp.web.Request, lambda r: r.query)
        )
        return app


# --- Django: the URLconf is read when the server makes Django's handler ------------------------

DJANGO_MIDDLEWARE = [
    django_adapter.MIDDLEWARE_PATH,
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]


def configure_django() -> None:
    """Configure Django once for the process (its settings are process-wide)."""
    if not django_settings.configured:
        django_settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["*"],
            SECRET_KEY="injectkit-tests",
            ROOT_URLCONF=None,
            MIDDLEWARE=DJANGO_MIDDLEWARE,
            INSTALLED_APPS=[],
            USE_TZ=True,
        )
        django.setup()


_urlconf_names = itertools.count()


@contextmanager
def django_urlconf(build: Callable[[], list[Any]]) -> Iterator[None]:
    """The root URLconf is a module whose ``urlpatterns`` are built when Django first reads
    them, as a urls.py's body runs when it is imported (its ``setup`` call included)."""
    configure_django()
    module = types.ModuleType(f"injectkit_scenario_urls_{next(_urlconf_names)}")

    def urlconf_attribute(name: str) -> Any:
        if name != "urlpatterns":
            raise AttributeError(name)
        module.urlpatterns = build()  # type: ignore[attr-defined]
        return module.urlpatterns  # type: ignore[attr-defined]

    module.__getattr__ = urlconf_attribute  # type: ignore[method-assign]
    sys.modules[module.__name__] = module
    try:
        with override_settings(ROOT_URLCONF=module.__name__, MIDDLEWARE=DJANGO_MIDDLEWARE):
            yield
    finally:
        del sys.modules[module.__name__]


def django_container(recorder: Recorder, *, asynchronous: bool) -> Container:
    return scenario_container(recorder, HttpRequest, lambda r: r.GET, asynchronous=asynchronous)


class DjangoWsgiKit(Kit):
    """Django's WSGI handler (sync views) under werkzeug."""

    name = "django-wsgi"
    error_page = "Server Error (500)"

    @asynccontextmanager
    async def serving(self, plan: Plan) -> AsyncIterator[str]:
        container = django_container(plan.recorder, asynchronous=False)
        try:
            with django_urlconf(lambda: self.urlpatterns(plan, container)):
                handler = WSGIHandler()  # its middleware reads the URLconf: setup runs here
                with serve_wsgi(handler) as url:
                    yield url
        finally:
            container.close()  # a WSGI server's shutdown hook

    def urlpatterns(self, plan: Plan, container: Container) -> list[Any]:
        inject = django_adapter.inject
        routes = Routes(plan)

        @inject
        def notify(
            email: str,
            tasks: BackgroundTasks,
            session: Session,
            settings: Settings,
            seen: routes.QueryTasks,
        ) -> dict[str, Any]:
            return routes.notify(email, tasks, seen)

        @inject
        def fail(tasks: BackgroundTasks, session: Session) -> None:
            routes.fail(tasks)

        @inject
        def disconnect(session: Session) -> str:
            return routes.wait_at_the_gate()

        @inject
        def whoami(n: int, session: Session, via: Via, settings: Settings) -> dict[str, Any]:
            routes.all_in.wait()
            return routes.whoami(n, session, via, settings)

        @inject
        def broken(repo: Broken) -> None:
            raise AssertionError("never called")

        urlpatterns = (
            [django_path("sub/", include([django_path("broken", broken)]))]
            if plan.broken
            else [
                django_path("notify/<str:email>", notify),
                django_path("fail", fail),
                django_path("disconnect", disconnect),
                django_path("whoami", whoami),
            ]
        )
        django_adapter.setup(urlpatterns, container, close_at_exit=False)
        return urlpatterns


class DjangoAsgiKit(Kit):
    """Django's ASGI handler (async views) with ``lifespan``, made by uvicorn at start-up;
    Django's ASGI handler is asyncio code: asyncio only."""

    name = "django-asgi"
    backends = ("asyncio",)
    disconnect = ("handler saw the disconnect", "session closed after CancelledError")
    error_page = "Server Error (500)"

    @asynccontextmanager
    async def serving(self, plan: Plan) -> AsyncIterator[str]:
        container = django_container(plan.recorder, asynchronous=True)

        def application() -> Any:  # what an asgi.py does, run by uvicorn as it starts
            return django_adapter.lifespan(ASGIHandler(), container)

        with (
            django_urlconf(lambda: self.urlpatterns(plan, container)),
            serve_asgi(application, factory=True) as url,
        ):
            yield url

    def urlpatterns(self, plan: Plan, container: Container) -> list[Any]:
        inject = django_adapter.inject
        routes = Routes(plan)

        @inject
        async def notify(
            email: str,
            tasks: BackgroundTasks,
            session: Session,
            settings: Settings,
            seen: routes.QueryTasks,
        ) -> dict[str, Any]:
            return routes.notify(email, tasks, seen)

        @inject
        async def fail(tasks: BackgroundTasks, session: Session) -> None:
            routes.fail(tasks)

        @inject
        async def disconnect(session: Session) -> None:
            routes.recorder("handler waiting")
            try:
                await asyncio.sleep(TIMEOUT)
            except asyncio.CancelledError:  # Django cancels the view when the client leaves
                routes.recorder("handler saw the disconnect")
                raise

        @inject
        async def whoami(n: int, session: Session, via: Via, settings: Settings) -> dict[str, Any]:
            await routes.all_in_flight.arrive()
            return routes.whoami(n, session, via, settings)

        @inject
        async def broken(repo: Broken) -> None:
            raise AssertionError("never called")

        urlpatterns = (
            [django_path("sub/", include([django_path("broken", broken)]))]
            if plan.broken
            else [
                django_path("notify/<str:email>", notify),
                django_path("fail", fail),
                django_path("disconnect", disconnect),
                django_path("whoami", whoami),
            ]
        )
        django_adapter.setup(urlpatterns, container, close_at_exit=False)
        return urlpatterns


# --- Falcon: resources with ``def`` responders (WSGI) or ``async def`` ones (ASGI) --------------


def falcon_container(recorder: Recorder, *, asynchronous: bool) -> Container:
    return scenario_container(
        recorder, falcon.Request, lambda req: req.params, asynchronous=asynchronous
    )


def falcon_routes(app: Any, plan: Plan, resources: dict[str, Any]) -> Any:
    """``resources`` routed on ``app`` (only ``broken`` for a broken plan)."""
    paths = {
        "notify": "/notify/{email}",
        "fail": "/fail",
        "disconnect": "/disconnect",
        "whoami": "/whoami",
        "broken": "/broken",
    }
    for name, resource in resources.items():
        if (name == "broken") == plan.broken:
            app.add_route(paths[name], resource)
    return app


class FalconWsgiKit(WsgiKit):
    name = "falcon-wsgi"
    broken_handler = "BrokenResource.on_get"
    error_page = "500 Internal Server Error"

    def container(self, recorder: Recorder) -> Container:
        return falcon_container(recorder, asynchronous=False)

    def app(self, plan: Plan, container: Container) -> Any:
        inject = falcon_adapter.inject
        routes = Routes(plan)
        QueryTasks = routes.QueryTasks

        class Notify:
            @inject
            def on_post(
                self, req, resp, email: str, tasks: BackgroundTasks, session: Session,
                settings: Settings, seen: QueryTasks,
            ) -> None:  # fmt: skip
                resp.media = routes.notify(email, tasks, seen)

        class Fail:
            @inject
            def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                routes.fail(tasks)

        class Disconnect:
            @inject
            def on_get(self, req, resp, session: Session) -> None:
                resp.text = routes.wait_at_the_gate()

        class WhoAmI:
            @inject
            def on_get(
                self, req, resp, n: int, session: Session, via: Via, settings: Settings
            ) -> None:
                routes.all_in.wait()
                resp.media = routes.whoami(n, session, via, settings)

        class BrokenResource:
            @inject
            def on_get(self, req, resp, repo: Broken) -> None:
                raise AssertionError("never called")

        app = falcon_routes(
            falcon.App(),
            plan,
            {
                "notify": Notify(),
                "fail": Fail(),
                "disconnect": Disconnect(),
                "whoami": WhoAmI(),
                "broken": BrokenResource(),
            },
        )
        falcon_adapter.setup(app, container, close_at_exit=False)
        return app


class FalconAsgiKit(AsgiKit):
    name = "falcon-asgi"
    broken_handler = "BrokenResource.on_get"
    error_page = "500 Internal Server Error"

    def app(self, plan: Plan) -> Any:
        inject = falcon_adapter.inject
        routes = Routes(plan)
        QueryTasks = routes.QueryTasks

        class Notify:
            @inject
            async def on_post(
                self, req, resp, email: str, tasks: BackgroundTasks, session: Session,
                settings: Settings, seen: QueryTasks,
            ) -> None:  # fmt: skip
                resp.media = routes.notify(email, tasks, seen)

        class Fail:
            @inject
            async def on_get(self, req, resp, tasks: BackgroundTasks, session: Session) -> None:
                routes.fail(tasks)

        class Disconnect:
            @inject
            async def on_get(self, req, resp, session: Session) -> None:
                resp.text = await routes.await_the_gate()

        class WhoAmI:
            @inject
            async def on_get(
                self, req, resp, n: int, session: Session, via: Via, settings: Settings
            ) -> None:
                await routes.all_in_flight.arrive()
                resp.media = routes.whoami(n, session, via, settings)

        class BrokenResource:
            @inject
            async def on_get(self, req, resp, repo: Broken) -> None:
                raise AssertionError("never called")

        app = falcon_routes(
            falcon.asgi.App(),
            plan,
            {
                "notify": Notify(),
                "fail": Fail(),
                "disconnect": Disconnect(),
                "whoami": WhoAmI(),
                "broken": BrokenResource(),
            },
        )
        falcon_adapter.setup(
            app, falcon_container(plan.recorder, asynchronous=True), close_at_exit=False
        )
        return app


KITS: list[Kit] = [
    StarletteKit(),
    FastApiKit(),
    LitestarKit(),
    FlaskKit(),
    AiohttpKit(),
    DjangoWsgiKit(),
    DjangoAsgiKit(),
    FalconWsgiKit(),
    FalconAsgiKit(),
]
