"""What container.graph() shows: each node's fields, captions, and names with quotes,
backslashes or angle brackets in the text, Mermaid and DOT renderings."""

from collections.abc import Callable, Iterator
from typing import Annotated

import pytest

from injectkit import BackgroundTasks, Container, Depends, GraphNode, GraphView


class Request:
    pass


class Settings:
    pass


class Session:
    pass


def setting(key: str) -> Callable[[], str]:
    """A provider made by a factory, named after the key it reads."""

    def read() -> str:
        return key

    read.__qualname__ = f'setting("{key}")'
    return read


def counter() -> int:
    return 1


def handler(
    request: Request,
    db: Session,
    path: Annotated[str, Depends(setting("C:\\data"))],
    n: Annotated[int, Depends(counter, use_cache=False)],
    tasks: BackgroundTasks,
    q: str = "",
) -> None: ...


def view() -> GraphView:
    c = Container()
    c.register(Settings, lambda: Settings(), scope="app")

    @c.provider(scope="transient")
    def session(settings: Settings) -> Iterator[Session]:
        yield Session()

    return c.graph(handler, context_types=[Request])


TEXT = """\
handler
    request <- Request
    db <- session
    path <- setting("C:\\data")
    n <- counter
    tasks <- BackgroundTasks
    q <- q (from the call)
Request
BackgroundTasks
q (from the call)
counter [request, not cached]
setting("C:\\data") [request]
session [transient, not cached, yield]
    settings <- <lambda>
<lambda> [app]"""

MERMAID = """\
graph TD
    n0["handler"]
    l0(["Request"])
    l1(["BackgroundTasks"])
    l2(["q (from the call)"])
    n1["counter [request, not cached]"]
    n2["setting(#quot;C:\\data#quot;) [request]"]
    n3["Session<br/>from session [transient, not cached, yield]"]
    n4["Settings<br/>from #lt;lambda#gt; [app]"]
    n0 -->|request| l0
    n0 -->|db| n3
    n0 -->|path| n2
    n0 -->|n| n1
    n0 -->|tasks| l1
    n0 -->|q| l2
    n3 -->|settings| n4
    classDef scope_request fill:#dcfce7,stroke:#15803d
    class n1,n2 scope_request
    classDef scope_transient fill:#f3e8ff,stroke:#7e22ce
    class n3 scope_transient
    classDef scope_app fill:#dbeafe,stroke:#1d4ed8
    class n4 scope_app"""

DOT = """\
digraph injectkit {
    rankdir=TB;
    n0 [label="handler", shape=box];
    l0 [label="Request", shape=ellipse];
    l1 [label="BackgroundTasks", shape=ellipse];
    l2 [label="q (from the call)", shape=ellipse];
    n1 [label="counter [request, not cached]", shape=box];
    n2 [label="setting(\\"C:\\\\data\\") [request]", shape=box];
    n3 [label="session [transient, not cached, yield]", shape=box];
    n4 [label="<lambda> [app]", shape=box];
    n0 -> l0 [label="request"];
    n0 -> n3 [label="db"];
    n0 -> n2 [label="path"];
    n0 -> n1 [label="n"];
    n0 -> l1 [label="tasks"];
    n0 -> l2 [label="q"];
    n3 -> n4 [label="settings"];
}"""


def test_text_captions_say_scope_not_cached_and_yield_but_no_scope_for_context() -> None:
    """to_text(): "[request, not cached]" for use_cache=False, no scope on a context type."""
    assert view().to_text() == TEXT


def test_mermaid_escapes_quotes_and_angle_brackets_in_names() -> None:
    """to_mermaid(): " as #quot;, < and > as #lt; #gt; (a lambda stays visible)."""
    assert view().to_mermaid() == MERMAID


def test_dot_escapes_quotes_and_backslashes_in_names() -> None:
    """to_dot(): a label's " and \\ are backslash-escaped inside the quoted label."""
    assert view().to_dot() == DOT


def test_nodes_say_root_context_tasks_and_call_inputs_with_their_scope() -> None:
    """The root is kind "root"; context and tasks inputs are request-scoped, call inputs not."""
    nodes = view().nodes[:4]
    assert nodes == (
        GraphNode("n0", "handler", "root", None, False, False),
        GraphNode("l0", "Request", "context", "request", True, False),
        GraphNode("l1", "BackgroundTasks", "tasks", "request", True, False),
        GraphNode("l2", "q (from the call)", "free", None, True, False),
    )


def test_an_override_given_as_a_value_is_a_value_node() -> None:
    """A replacement that is an instance shows as kind "value", "Settings (override value)"."""
    c = Container()
    c.register(Settings)

    def use(settings: Settings) -> None: ...

    c.overrides[Settings] = Settings()
    node = c.graph(use).node("Settings (override value)")
    assert node == GraphNode(
        "n1", "Settings (override value)", "value", "request", True, False, "Settings", "Settings"
    )
    assert c.graph(use).to_text() == (
        "use\n    settings <- Settings (override value)\n"
        "Settings (override value) [request, overrides Settings]"
    )


def test_an_overridden_depends_callable_shows_what_it_replaces() -> None:
    """A Depends target's replacement is captioned "overrides <the original>"."""
    c = Container()

    def get_limit() -> int:
        return 10

    def fake_limit() -> int:
        return 1

    def use(limit: Annotated[int, Depends(get_limit)]) -> None: ...

    with c.override(get_limit, fake_limit):
        graph = c.graph(use)
    assert graph.node("fake_limit").overridden == "get_limit"
    assert graph.to_text() == (
        "use\n    limit <- fake_limit\nfake_limit [request, overrides get_limit]"
    )


def test_node_lookup_of_a_missing_label_names_the_labels_there_are() -> None:
    """view.node("x") raises a KeyError listing every node's label."""
    with pytest.raises(KeyError) as raised:
        view().node("sesion")
    assert raised.value.args == (
        "'sesion'; nodes: handler, Request, BackgroundTasks, q (from the call), counter, "
        'setting("C:\\data"), session, <lambda>',
    )
