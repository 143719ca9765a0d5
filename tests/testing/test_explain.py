"""``explain`` and ``unused_providers``: what a handler pulls in, and what nothing uses."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest

from injectkit import BackgroundTasks, Container, Depends, InjectionError
from injectkit.testing import explain, fake, override, unused_providers


class Settings:
    pass


class Pool:
    pass


class Session:
    pass


class Mailer:
    pass


class Request:
    pass


def build() -> Container:
    container = Container()

    @container.provider(scope="app")
    def settings() -> Settings:
        return Settings()

    @container.provider(scope="app")
    async def pool(settings: Settings) -> AsyncIterator[Pool]:
        yield Pool()

    @container.provider
    def session(pool: Pool) -> Iterator[Session]:
        yield Session()

    @container.provider
    def mailer() -> Mailer:
        return Mailer()

    return container


def lock() -> Iterator[str]:
    yield "locked"


def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
    return q


async def handler(
    email: str,
    db: Session,
    q: Annotated[str | None, Depends(get_query)],
    held: Annotated[str, Depends(lock, scope="function")],
) -> None:
    pass


def test_explain_lists_providers_in_build_order_with_scopes() -> None:
    """Providers come dependencies first, each with its scope, kind and consumers."""
    explanation = explain(build(), handler)
    assert [(p.name, p.scope) for p in explanation.providers] == [
        ("settings", "app"),
        ("pool", "app"),
        ("session", "request"),
        ("get_query", "request"),
        ("lock", "function"),
    ]
    pool = explanation.providers[1]
    assert pool.kind == "async generator" and pool.finalizer
    assert pool.needs == ("settings",) and pool.needed_by == ("session",)
    assert explanation.by_scope() == {
        "app": ("settings", "pool"),
        "request": ("session", "get_query"),
        "function": ("lock",),
    }
    assert [f.name for f in explanation.free_parameters] == ["email", "q"]
    assert explanation.uses_background_tasks


def test_explain_says_which_finalizers_run_when() -> None:
    """Finalizers are grouped by the scope whose end runs them, newest first."""
    explanation = explain(build(), handler)
    assert explanation.finalizers == {
        "function": ("lock",),
        "request": ("session",),
        "app": ("pool",),
    }


def test_explain_renders_as_text() -> None:
    """str() of an explanation is a short report a developer can read."""
    assert str(explain(build(), handler)) == "\n".join(
        [
            "handler pulls in 5 provider(s):",
            "  app       settings",
            "  app       pool (yield) <- settings",
            "  request   session (yield) <- pool",
            "  request   get_query <- BackgroundTasks",
            "  function  lock (yield)",
            "from the call: email, q=None",
            "from the request scope: BackgroundTasks",
            "finalizers after the call: lock",
            "finalizers when the request closes: session",
            "finalizers when the container closes: pool",
        ]
    )


def test_explain_shows_overrides_and_context_types() -> None:
    """An overridden provider says what it replaces; context types are listed as such."""
    container = build()

    async def endpoint(request: Request, db: Session) -> None:
        pass

    with override(container, {Session: fake(Session())}):
        explanation = explain(container, endpoint, context_types=[Request])
    assert explanation.context == ("Request",)
    assert [(p.name, p.overridden) for p in explanation.providers] == [("fake(Session)", "Session")]


def test_unused_providers_are_registered_types_no_handler_reaches() -> None:
    """Types that no injected function (or given function) uses are reported."""
    container = build()
    container.inject(handler)
    assert unused_providers(container) == [Mailer]

    async def sends(mailer: Mailer) -> None:
        pass

    assert unused_providers(container, sends) == [Settings, Pool, Session]


def test_unused_providers_raises_for_a_graph_it_cannot_solve() -> None:
    """A broken graph would hide what it uses, so its error is raised instead of a guess."""
    container = build()

    class Missing:
        pass

    def needs_missing(m: Missing) -> None:
        pass

    async def broken(value: Annotated[None, Depends(needs_missing)]) -> None:
        pass

    with pytest.raises(InjectionError, match="Missing"):
        unused_providers(container, broken)
