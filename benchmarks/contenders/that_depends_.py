"""that-depends: a ``BaseContainer`` of providers, ``@inject`` with ``Provide[...]``.

Request-scoped objects are ``ContextResource`` s (which take generator creators: a one-line
``yield Cls(...)`` per class), app-scoped ones ``Singleton`` s. A request is the handler
decorated with ``@Container.context`` over ``@inject`` -- the documented way to give each
call fresh context resources, torn down when it returns (what ``DIContextMiddleware`` does
per HTTP request). that-depends has no background tasks: a ``Tasks`` context resource
whose teardown runs them stands in.
"""

import itertools
from collections.abc import Iterator
from typing import Any

from that_depends import BaseContainer, ContextScopes, Provide, inject, providers

from benchmarks.contenders import Case
from benchmarks.shapes import (
    Audit,
    Graph,
    Session,
    Tasks,
    YieldShape,
    noop_task,
    provide_audit,
    provide_conn,
    provide_session,
    provide_tasks,
)

NAME = "that-depends"
DISTRIBUTION = "that-depends"
WIRING = (
    "A `BaseContainer` with a `ContextResource` per request-scoped class (its creator a "
    "one-line generator `yield Cls(...)`) and a `Singleton` per app-scoped one; the handler "
    "is `@Container.context` over `@inject` with `Provide[Container.x]` defaults, so each "
    "call opens and tears down fresh context resources. No background tasks: a `Tasks` "
    "context resource whose teardown runs them."
)

_ids = itertools.count()


def _new_container(name: str, providers: dict[str, Any]) -> Any:
    """``class <name>N(BaseContainer): ...`` -- containers are registered by name, so each
    gets a fresh one; ``default_scope`` is the library's default, spelled out."""
    attrs = {"default_scope": ContextScopes.ANY, **providers}
    return type(f"{name}{next(_ids)}", (BaseContainer,), attrs)


def _container(graph: Graph) -> Any:
    p = graph.param
    lines = []
    for node in graph.request_nodes:
        params = ", ".join(f"{p(d)}: {d}" for d in graph.deps[node])
        args = ", ".join(p(d) for d in graph.deps[node])
        lines += [
            f"def create_{p(node)}({params}) -> Iterator[{node}]:",
            f"    yield {node}({args})",
        ]
    creators = graph.compile("\n".join(lines), Iterator=Iterator)
    attrs: dict[str, Any] = {}
    for node, deps in graph.deps.items():
        kwargs = {p(d): attrs[p(d)] for d in deps}
        if node in graph.app_nodes:
            attrs[p(node)] = providers.Singleton(graph.classes[node], **kwargs)
        else:
            attrs[p(node)] = providers.ContextResource(creators[f"create_{p(node)}"], **kwargs)
    return _new_container(f"{graph.name.title()}Container", attrs)


def _graph_case(graph: Graph, *, is_async: bool = True) -> Case:
    p = graph.param
    params = ", ".join(f"{p(r)}: {r} = Provide[Container.{p(r)}]" for r in graph.roots)
    async_ = "async " if is_async else ""
    source = (
        f"@Container.context\n@inject\n{async_}def handler({params}) -> int:\n"
        f"    return {graph.root_sum}\n"
    )
    ns = graph.compile(source, Container=_container(graph), Provide=Provide, inject=inject)
    return Case(ns["handler"])


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    return _graph_case(graph, is_async=False)


def yield_tasks(shape: YieldShape) -> Case:
    conn = providers.ContextResource(provide_conn)
    session = providers.ContextResource(provide_session, conn=conn)
    tasks = providers.ContextResource(provide_tasks)
    audit = providers.Factory(provide_audit, session=session, tasks=tasks)
    container = _new_container(
        "YieldContainer", {"conn": conn, "session": session, "tasks": tasks, "audit": audit}
    )

    @container.context
    @inject
    async def handler(
        audit: Audit = Provide[container.audit],
        session: Session = Provide[container.session],
        tasks: Tasks = Provide[container.tasks],
    ) -> int:
        tasks.add_task(noop_task)
        return shape.handler_result(audit, session)

    return Case(handler, note="tasks run by the teardown of a `Tasks` context resource.")
