"""container.graph(): nodes, edges, Mermaid and DOT renderings."""

from collections.abc import Iterator
from typing import Annotated

from injectkit import BackgroundTasks, Container, Depends


class Session:
    pass


def get_query(tasks: BackgroundTasks, q: str | None = None) -> str | None:
    return q


def build() -> tuple[Container, object]:
    c = Container()

    @c.provider
    def session() -> Iterator[Session]:
        yield Session()

    async def send(
        email: str,
        tasks: BackgroundTasks,
        q: Annotated[str | None, Depends(get_query)],
        db: Session,
    ) -> None: ...

    return c, send


def test_nodes_and_edges() -> None:
    """The view lists providers with scope and finalizers, and who takes what from whom."""
    c, send = build()
    view = c.graph(send)  # type: ignore[arg-type]
    assert view.root.label == "send"
    assert {n.label for n in view.dependencies("send")} == {
        "email (from the call)",
        "BackgroundTasks",
        "get_query",
        "session",
    }
    assert [n.label for n in view.finalizers()] == ["session"]
    assert view.node("session").scope == "request"
    assert [p.name for p in view.free_parameters] == ["email", "q"]
    assert "send" in view.to_text()


def test_mermaid_and_dot() -> None:
    """to_mermaid() and to_dot() draw every node and labelled edge."""
    c, send = build()
    view = c.graph(send)  # type: ignore[arg-type]
    mermaid = view.to_mermaid()
    assert mermaid.startswith("graph TD")
    assert "-->|q|" in mermaid and "session [request, yield]" in mermaid
    dot = view.to_dot()
    assert dot.startswith("digraph injectkit {") and dot.rstrip().endswith("}")
    assert '[label="db"]' in dot
    assert dot.count("->") == len(view.edges)


def test_plan_source_is_readable_and_has_no_user_text() -> None:
    """The compiled plan's source names things by position, never by user strings."""
    c, send = build()
    source = c.plan_source(send)  # type: ignore[arg-type]
    # all providers are sync: `run` is a plain function returning the handler's coroutine
    assert source.startswith("def run(state, args, kw):")
    assert "async def join(state, args, kw):" in source  # for a scope already in use
    assert "async def arun(state, args, kw):" in source  # when an app value is missing
    assert "get_query" not in source and "email" not in source
