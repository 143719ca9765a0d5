"""examples/custom/tiny_adapter.py (docs/integrations/custom.md) on a real server."""

from collections.abc import Iterator
from typing import Any

import pytest

from injectkit import BackgroundTasks, Container, InjectionError
from injectkit.integrations import Endpoints, check_route_variables, mark_endpoint

from . import _scenarios as scenarios
from .conftest import Gate, Recorder, load_example, serve_asgi

pytestmark = pytest.mark.anyio


class Session:
    pass


def make_app(recorder: Recorder, gate: Gate, *, broken: bool = False) -> Any:
    tiny = load_example("custom/tiny_adapter.py")
    container = Container()

    @container.provider
    def session() -> Iterator[Session]:
        recorder("session opened")
        yield Session()
        recorder("session closed")

    def blocking_task() -> None:
        recorder("task started")
        gate.wait()
        recorder("task done")

    @tiny.inject
    async def hello(name: str, times: int, tasks: BackgroundTasks, session: Session) -> str:
        tasks.add_task(blocking_task)
        return " ".join([f"hello {name}"] * times)

    class Unregistered:
        pass

    @tiny.inject
    async def needs_unregistered(thing: Unregistered) -> None: ...

    routes = {"/hello": hello}
    if broken:
        routes["/broken"] = needs_unregistered
    return tiny.InjectMiddleware(tiny.TinyApp(routes), container)


async def test_tiny_adapter_sends_the_response_before_the_task(
    recorder: Recorder, gate: Gate
) -> None:
    """The custom adapter: response first, then the task, then the finalizer; 422s."""
    with serve_asgi(make_app(recorder, gate)) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get("/hello", params={"name": "ann", "times": "2"})
            assert response.json() == "hello ann hello ann"
            await recorder.await_for("task started")
            gate.open()
            events = await recorder.await_for("session closed")
            bad = await client.get("/hello", params={"name": "ann", "times": "x"})
    assert events == ["session opened", "task started", "task done", "session closed"]
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "times"]


async def test_tiny_adapter_refuses_to_start_on_a_broken_graph(
    recorder: Recorder, gate: Gate
) -> None:
    """The custom adapter validates its handlers at startup."""
    log = scenarios.startup_failure_log(make_app(recorder, gate, broken=True))
    assert (
        "`Unregistered` is not registered in the\ncontainer, so nothing provides `thing` to "
        "needs_unregistered." in log
    )


def test_a_custom_adapter_checks_its_route_variables_with_the_kernel() -> None:
    """check_route_variables names every route variable no parameter reads, with the
    route as the adapter's users know it; a route whose variables are read passes."""
    container = Container()

    def user(uid: int) -> dict[str, int]:
        return {"uid": uid}

    def wrapper() -> None: ...

    mark = mark_endpoint(wrapper, user)
    endpoints = Endpoints(container, ())
    check_route_variables(endpoints, [("The route '/users/{uid}'", {"uid"}, mark)])
    with pytest.raises(InjectionError) as raised:
        check_route_variables(endpoints, [("The route '/users/{id}'", {"id", "uid"}, mark)])
    assert " ".join(str(raised.value).split()).startswith(
        "The route '/users/{id}' passes id to user, but no parameter of it or of its "
        "dependencies reads that name."
    )
