"""``provide(T)`` in FastAPI and Litestar with async, async generator and sync providers,
on a real uvicorn server with a real httpx client."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
import fastapi
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide

from injectkit import Container
from injectkit.integrations import fastapi as ik_fastapi
from injectkit.integrations import litestar as ik_litestar

from . import _scenarios as scenarios
from .conftest import Gate, Recorder, Session, Settings, serve_asgi

pytestmark = pytest.mark.anyio


class Clock:
    """Built by an async (not generator) provider."""

    def __init__(self, now: int) -> None:
        self.now = now


def make_container(recorder: Recorder, gate: Gate) -> Container:
    """Session from an async generator (its finalizer waits at ``gate``), Clock from an
    async function, Settings from a sync one."""
    container = Container()

    @container.provider
    async def session() -> AsyncIterator[Session]:
        recorder("session opened")
        yield Session()
        recorder("session finalizing")
        await anyio.to_thread.run_sync(gate.wait)
        recorder("session closed")

    @container.provider
    async def clock() -> Clock:
        return Clock(42)

    container.register(Settings, scope="app")
    return container


def provided_values(
    recorder: Recorder, session: Session, clock: Clock, settings: Settings, same: Session
) -> dict[str, Any]:
    """What an injected handler answers: the values provide() gave it, compared."""
    recorder("handler")
    return {
        "now": clock.now,
        "settings": isinstance(settings, Settings),
        "same_session": session is same,
    }


def fastapi_app(recorder: Recorder, gate: Gate) -> fastapi.FastAPI:
    app = fastapi.FastAPI()
    provide = ik_fastapi.provide

    @app.get("/provided")
    @ik_fastapi.inject
    async def provided(
        session: Annotated[Session, fastapi.Depends(provide(Session))],
        clock: Annotated[Clock, fastapi.Depends(provide(Clock))],
        settings: Annotated[Settings, fastapi.Depends(provide(Settings))],
        same_session: ik_fastapi.FromContainer[Session],
    ) -> dict[str, Any]:
        return provided_values(recorder, session, clock, settings, same_session)

    @app.get("/plain")
    async def plain(
        session: Annotated[Session, fastapi.Depends(provide(Session))],
        clock: Annotated[Clock, fastapi.Depends(provide(Clock))],
    ) -> dict[str, Any]:
        """A FastAPI route without inject: provide() works there too."""
        recorder("handler")
        return {"now": clock.now, "session": isinstance(session, Session)}

    ik_fastapi.setup(app, make_container(recorder, gate))
    return app


def litestar_app(recorder: Recorder, gate: Gate) -> Litestar:
    provide = ik_litestar.provide

    @get(
        "/provided",
        dependencies={
            "session": Provide(provide(Session)),
            "clock": Provide(provide(Clock)),
            "settings": Provide(provide(Settings)),
        },
    )
    @ik_litestar.inject
    async def provided(
        session: NamedDependency[Session],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        same_session: ik_litestar.FromContainer[Session],
    ) -> dict[str, Any]:
        return provided_values(recorder, session, clock, settings, same_session)

    @get("/plain", dependencies={"session": Provide(provide(Session))})
    async def plain(session: NamedDependency[Session]) -> dict[str, Any]:
        """A Litestar handler without inject: provide() works there too."""
        recorder("handler")
        return {"session": isinstance(session, Session)}

    container = make_container(recorder, gate)
    return Litestar([provided, plain], plugins=[ik_litestar.InjectKitPlugin(container)])


PROVIDED = {"now": 42, "settings": True, "same_session": True}


@pytest.mark.parametrize(
    ("make_app", "path", "expected"),
    [
        (fastapi_app, "/provided", PROVIDED),
        (fastapi_app, "/plain", {"now": 42, "session": True}),
        (litestar_app, "/provided", PROVIDED),
        (litestar_app, "/plain", {"session": True}),
    ],
    ids=["fastapi-inject", "fastapi-plain", "litestar-inject", "litestar-plain"],
)
async def test_provide_resolves_async_generator_async_and_sync_providers(
    make_app: Any, path: str, expected: dict[str, Any], recorder: Recorder, gate: Gate
) -> None:
    """provide(T) gives an async generator's, an async function's and a sync provider's
    value (in an injected handler, the session its FromContainer gets); the generator's
    finalizer runs in the request's scope, after the response has been sent."""
    with serve_asgi(make_app(recorder, gate)) as url:
        async with scenarios.asgi_client(url) as client:
            response = await client.get(path)
            assert response.status_code == 200, response.text
            events = await recorder.await_for("session finalizing")
            assert "session closed" not in events  # the response came first
            gate.open()
            events = await recorder.await_for("session closed")
    assert events == ["session opened", "handler", "session finalizing", "session closed"]
    assert response.json() == expected
