"""The Litestar adapter on a real uvicorn server with a real httpx client."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pytest
from litestar import Litestar, Response, WebSocket, get, websocket
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.integrations.litestar import FromContainer, InjectKitPlugin, inject, provide, setup

from . import _scenarios as scenarios
from .conftest import Gate, Recorder, Session, Settings, make_container, serve_asgi

pytestmark = pytest.mark.anyio


def make_handlers(recorder: Recorder, gate: Gate) -> list[Any]:
    blocking_task = scenarios.blocking_task(recorder, gate)
    get_query = scenarios.query_task(recorder)

    @inject
    async def current_user(x_user: FromQuery[str], tasks: BackgroundTasks) -> dict[str, Any]:
        """A Litestar dependency that injectkit also serves (x_user: Litestar's query)."""
        return {"name": x_user, "tasks": id(tasks)}

    @get(
        "/notify/{email:str}",
        dependencies={"user": Provide(current_user), "via_provide": Provide(provide(Session))},
    )
    @inject
    async def notify(
        email: FromPath[str],
        user: NamedDependency[dict[str, Any]],
        via_provide: NamedDependency[Session],
        tasks: BackgroundTasks,
        session: FromContainer[Session],
        settings: FromContainer[Settings],
        via_query: Annotated[int, Depends(get_query)],
    ) -> dict[str, Any]:
        recorder("handler")
        tasks.add_task(blocking_task, f"task for {email}")
        return {
            "email": email,
            "user": user["name"],
            "same_tasks": via_query == id(tasks) == user["tasks"],
            "same_session": via_provide is session,
        }

    @get("/missing")
    @inject
    async def missing(tasks: BackgroundTasks, session: FromContainer[Session]) -> None:
        tasks.add_task(recorder, "dropped task")
        raise NotFoundException("no such thing")

    @get("/own-background")
    @inject
    async def own_background(
        tasks: BackgroundTasks, session: FromContainer[Session]
    ) -> Response[dict[str, bool]]:
        tasks.add_task(recorder, "injectkit task")
        return Response({"ok": True}, background=BackgroundTask(recorder, "response task"))

    def limit_of(limit: int = 10) -> int:
        return limit

    @get("/items/{item_id:int}")
    @inject
    def items(
        item_id: FromPath[int],
        limit: Annotated[int, Depends(limit_of)],
        q: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """A sync handler: Litestar's path and query parameters next to injectkit's."""
        return {"item_id": item_id, "limit": limit, "q": q}

    @websocket("/ws")
    @inject
    async def echo(
        socket: WebSocket, session: FromContainer[Session], tasks: BackgroundTasks
    ) -> None:
        await socket.accept()
        tasks.add_task(recorder, "websocket task")
        text = await socket.receive_text()
        await socket.send_text(f"echo {text} {len(session.token)}")
        await socket.close()
        recorder("websocket closed")

    return [notify, missing, own_background, items, echo]


def make_app(recorder: Recorder, gate: Gate) -> Litestar:
    container = make_container(recorder, ASGIConnection)
    return Litestar(make_handlers(recorder, gate), plugins=[InjectKitPlugin(container)])


async def test_litestar_dependencies_share_the_handlers_tasks_and_session(
    recorder: Recorder, gate: Gate
) -> None:
    """An injected Litestar dependency and provide() share the handler's tasks and session."""
    body = await scenarios.one_background_tasks_for_all(
        make_app(recorder, gate), recorder, gate, scenarios.Notify("GET", params={"x_user": "b"})
    )
    assert body == {"email": "x@y.z", "user": "b", "same_tasks": True, "same_session": True}


async def test_response_with_its_own_background_keeps_injected_tasks(
    recorder: Recorder, gate: Gate
) -> None:
    """A Response(background=...) runs its task, and injectkit's still run after it."""
    await scenarios.own_background_loses_no_task(
        make_app(recorder, gate),
        recorder,
        ["session opened", "response task", "injectkit task", "session closed"],
    )


async def test_http_exception_keeps_its_status_and_drops_tasks(
    recorder: Recorder, gate: Gate
) -> None:
    """A NotFoundException keeps Litestar's 404; the request still fails: no task runs."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            missing = await scenarios.failed_request(
                client, recorder, "/missing", 404, "NotFoundException"
            )
            assert missing.json()["detail"] == "no such thing"
    assert "dropped task" not in recorder.events


async def test_litestar_and_injectkit_parameters_are_validated(
    recorder: Recorder, gate: Gate
) -> None:
    """Litestar's parameters and injectkit's free ones both give Litestar's 400 body."""
    app = make_app(recorder, gate)
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            ok = await client.get("/items/3", params={"limit": "2", "q": "abc"})
            bad_limit = await client.get("/items/3", params={"limit": "lots"})
    assert ok.json() == {"item_id": 3, "limit": 2, "q": "abc"}
    assert bad_limit.status_code == 400
    assert bad_limit.json()["extra"] == [
        {
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "key": "limit",
            "source": "query",
        }
    ]


async def test_websocket_gets_a_scope_per_connection_and_tasks_after_close(
    recorder: Recorder, gate: Gate
) -> None:
    """Each WebSocket connection has its own scope; its tasks run after it closes."""
    await scenarios.websocket_scope_per_connection(
        make_app(recorder, gate), recorder, lambda tag: f"echo {tag} 32"
    )


async def test_startup_fails_on_a_broken_graph_inside_a_litestar_dependency(
    recorder: Recorder,
) -> None:
    """An injected Litestar dependency with an unsolvable graph stops start-up."""

    class Unregistered:
        pass

    @inject
    async def deep(thing: FromContainer[Unregistered]) -> None: ...

    @get("/broken", dependencies={"value": Provide(deep)})
    async def broken(value: NamedDependency[None]) -> None: ...

    container = make_container(recorder, ASGIConnection)
    app = Litestar([broken], plugins=[InjectKitPlugin(container)])
    log = scenarios.startup_failure_log(app)
    assert (
        "`Unregistered` is not registered in the\n    | container, so nothing provides `thing` "
        "to deep." in log  # the error's lines, inside the exception group's border
    )
    assert "settings closed" not in recorder.events


async def test_setup_on_an_existing_app(recorder: Recorder, gate: Gate) -> None:
    """setup(app, container) gives an app built without the plugin the same behaviour."""
    gate.open()
    app = Litestar(make_handlers(recorder, gate))
    setup(app, make_container(recorder, ASGIConnection))
    with serve_asgi(app) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/notify/a@b.c", params={"q": "z", "x_user": "c"})
            assert response.json()["same_tasks"] is True
            events = await recorder.await_for("session closed")
            assert (await client.get("/missing")).status_code == 404
            await recorder.await_for("session closed after NotFoundException")
    assert [e for e in events if "task" in e] == [
        "query task z",
        "task for a@b.c started",
        "task for a@b.c done",
    ]
    assert "dropped task" not in recorder.events
    assert recorder.events[-1] == "settings closed"


def test_seed_examples_write_the_log_after_the_response(tmp_path: Path) -> None:
    """examples/litestar: tutorial001 and tutorial002 write their log lines after responding."""
    scenarios.seed_examples_write_the_log_after_the_response("litestar", tmp_path)


def test_importing_without_litestar_names_the_extra() -> None:
    """Without Litestar installed, the import error says which extra to install."""
    assert scenarios.import_error_without("litestar", "litestar") == (
        "injectkit.integrations.litestar needs Litestar, which is not installed: "
        'python -m pip install "./injectkit[litestar]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[litestar]" once it is on PyPI)'
    )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda app, c: setup(app, None), r"Litestar setup\(\) takes \(app, container\)"),
        (lambda app, c: setup(c, app), "the arguments are swapped"),
        (lambda app, c: InjectKitPlugin(None), r"InjectKitPlugin\(\) takes \(container\)"),
        (
            lambda app, c: InjectKitPlugin(app),
            r"got\n<litestar\.app\.Litestar object at 0x\w+> \(Litestar\) as the container",
        ),
    ],
    ids=["setup-none", "setup-swapped", "plugin-none", "plugin-app"],
)
def test_setup_without_a_container_is_an_injection_error(
    make: Callable[[Any, Any], Any], match: str
) -> None:
    """setup() and InjectKitPlugin() given no container fail at once, naming the right call."""
    with pytest.raises(InjectionError, match=match):
        make(Litestar([]), Container())


def test_inject_above_the_route_decorator_is_an_injection_error() -> None:
    """@inject on a route handler object (placed above @get) says where it belongs."""
    with pytest.raises(InjectionError, match="under the route decorator"):

        @inject
        @get("/")
        async def handler() -> str:
            return "unreachable"
