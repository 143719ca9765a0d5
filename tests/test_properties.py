"""Property tests over random dependency DAGs, checked against a naive reference evaluator."""

from collections import Counter
from typing import Annotated, Any

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from injectkit import Container, Depends

KINDS = ("sync", "async", "generator", "async generator")


@st.composite
def dags(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Nodes 0..n-1; node i depends on some nodes j > i (so the graph is acyclic)."""
    n = draw(st.integers(min_value=1, max_value=9))
    nodes = []
    for i in range(n):
        later = list(range(i + 1, n))
        deps = draw(st.lists(st.sampled_from(later), unique=True, max_size=3)) if later else []
        nodes.append(
            {
                "kind": draw(st.sampled_from(KINDS)),
                "deps": [(j, draw(st.booleans())) for j in deps],  # (node, use_cache)
            }
        )
    return nodes


def make_providers(nodes: list[dict[str, Any]], events: list[str]) -> list[Any]:
    """Build real functions of each kind whose value names how they were built."""
    funcs: list[Any] = [None] * len(nodes)
    for i in reversed(range(len(nodes))):
        spec = nodes[i]
        params = ", ".join(f"d{k}" for k in range(len(spec["deps"])))
        values = " + ',' + ".join(f"d{k}" for k in range(len(spec["deps"]))) or "''"
        value = f"'{i}(' + {values} + ')'"
        header = "async def" if spec["kind"] in ("async", "async generator") else "def"
        if spec["kind"] in ("sync", "async"):
            body = f"    events.append('build {i}')\n    return {value}\n"
        else:
            body = (
                f"    events.append('build {i}')\n"
                f"    events.append('open {i}')\n"
                f"    yield {value}\n"
                f"    events.append('close {i}')\n"
            )
        ns: dict[str, Any] = {"events": events}
        exec(f"{header} p{i}({params}):\n{body}", ns)
        func = ns[f"p{i}"]
        func.__annotations__ = {
            f"d{k}": Annotated[str, Depends(funcs[j], use_cache=cached)]
            for k, (j, cached) in enumerate(spec["deps"])
        }
        funcs[i] = func
    return funcs


def reference(
    nodes: list[dict[str, Any]],
    root_deps: list[tuple[int, bool]],
    cache: dict[int, str] | None = None,
) -> tuple[list[str], Counter[int]]:
    """Naive recursive evaluation: the values the handler gets and build counts.

    ``cache`` is the request's cache; pass the same dict to evaluate a second call that
    joins the same request.
    """
    cache = {} if cache is None else cache
    builds: Counter[int] = Counter()

    def value(i: int, use_cache: bool) -> str:
        if use_cache and i in cache:
            return cache[i]
        parts = [value(j, c) for j, c in nodes[i]["deps"]]
        builds[i] += 1
        result = f"{i}(" + ",".join(parts) + ")"
        if use_cache:
            cache[i] = result
        return result

    return [value(j, c) for j, c in root_deps], builds


@settings(max_examples=80, deadline=None)
@given(
    nodes=dags(),
    root_cache=st.lists(st.booleans(), min_size=1, max_size=3),
    concurrent=st.booleans(),
)
def test_random_dags_match_the_reference(
    nodes: list[dict[str, Any]], root_cache: list[bool], concurrent: bool
) -> None:
    """Values equal the reference, cached nodes build once, finalizers close newest first."""
    events: list[str] = []
    funcs = make_providers(nodes, events)
    root_deps = [(i % len(nodes), cached) for i, cached in enumerate(root_cache)]
    c = Container(concurrent=concurrent)

    ns: dict[str, Any] = {}
    params = ", ".join(f"r{k}" for k in range(len(root_deps)))
    exec(f"async def handler({params}):\n    return [{params}]\n", ns)
    handler = ns["handler"]
    handler.__annotations__ = {
        f"r{k}": Annotated[str, Depends(funcs[j], use_cache=cached)]
        for k, (j, cached) in enumerate(root_deps)
    }
    injected = c.inject(handler)

    expected_values, expected_builds = reference(nodes, root_deps)
    for backend in ("asyncio", "trio"):
        events.clear()
        assert anyio.run(injected, backend=backend) == expected_values
        builds = Counter(int(e.split()[1]) for e in events if e.startswith("build"))
        assert builds == expected_builds
        opens = [e.split()[1] for e in events if e.startswith("open")]
        closes = [e.split()[1] for e in events if e.startswith("close")]
        if not concurrent:  # concurrent siblings open in whatever order they finish
            assert closes == opens[::-1]  # newest first
        else:
            assert sorted(closes) == sorted(opens)
        # A second call inside one scope joins it: nothing cached is built again.
        events.clear()

        async def twice() -> tuple[list[str], list[str]]:
            async with c.request():
                first = await injected()
                second = await injected()
            return first, second

        first, second = anyio.run(twice, backend=backend)
        assert first == second == expected_values
        shared: dict[int, str] = {}
        _, builds_first = reference(nodes, root_deps, shared)
        _, builds_second = reference(nodes, root_deps, shared)
        builds = Counter(int(e.split()[1]) for e in events if e.startswith("build"))
        assert builds == builds_first + builds_second
