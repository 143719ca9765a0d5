"""The whole text of each graph rendering, so a changed shape or label shows."""

from test_graph_view import build

MERMAID = """\
graph TD
    n0["send"]
    l0(["email (from the call)"])
    l1(["BackgroundTasks"])
    n1["Session<br/>from session [request, yield]"]
    n2["get_query [request]"]
    l2(["q (from the call)"])
    n0 -->|email| l0
    n0 -->|tasks| l1
    n0 -->|q| n2
    n0 -->|db| n1
    n2 -->|tasks| l1
    n2 -->|q| l2
    classDef scope_request fill:#dcfce7,stroke:#15803d
    class n1,n2 scope_request"""

DOT = """\
digraph injectkit {
    rankdir=TB;
    n0 [label="send", shape=box];
    l0 [label="email (from the call)", shape=ellipse];
    l1 [label="BackgroundTasks", shape=ellipse];
    n1 [label="session [request, yield]", shape=box];
    n2 [label="get_query [request]", shape=box];
    l2 [label="q (from the call)", shape=ellipse];
    n0 -> l0 [label="email"];
    n0 -> l1 [label="tasks"];
    n0 -> n2 [label="q"];
    n0 -> n1 [label="db"];
    n2 -> l1 [label="tasks"];
    n2 -> l2 [label="q"];
}"""

TEXT = """\
send
    email <- email (from the call)
    tasks <- BackgroundTasks
    q <- get_query
    db <- session
email (from the call)
BackgroundTasks
session [request, yield]
get_query [request]
    tasks <- BackgroundTasks
    q <- q (from the call)
q (from the call)"""


def test_mermaid_draws_providers_as_boxes_and_inputs_as_stadiums() -> None:
    """to_mermaid(): boxes name a registered type, coloured by scope; inputs are stadiums."""
    c, send = build()
    assert c.graph(send).to_mermaid() == MERMAID  # type: ignore[arg-type]


def test_dot_draws_providers_as_boxes_and_inputs_as_ellipses() -> None:
    """to_dot(): providers as boxes with scope, call inputs and tasks as ellipses."""
    c, send = build()
    assert c.graph(send).to_dot() == DOT  # type: ignore[arg-type]


def test_text_lists_each_node_with_what_it_takes_from_whom() -> None:
    """to_text(): each node, then its parameters and the node each comes from."""
    c, send = build()
    assert c.graph(send).to_text() == TEXT  # type: ignore[arg-type]
