"""dishka: a container of providers with APP and REQUEST scopes.

Classes and generator factories are registered on a ``Provider`` with their scope, the
container is made (and validated) once, and the handler is wrapped the way dishka's own
framework integrations wrap one: ``wrap_injection`` with ``FromDishka[T]`` parameters and
``manage_scope=True``, so each call enters the REQUEST scope (``async with container()``),
resolves, calls and closes it. dishka has no background tasks: a request-scoped ``Tasks``
from a generator factory whose finalizer runs them stands in.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from dishka import FromDishka, Provider, Scope, make_async_container, make_container
from dishka.integrations.base import wrap_injection

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

NAME = "dishka"
DISTRIBUTION = "dishka"
WIRING = (
    "Classes registered with `provider.provide(cls, scope=Scope.REQUEST | Scope.APP)`, one "
    "container made (and validated) up front, the handler wrapped like dishka's framework "
    "integrations do: `wrap_injection(..., manage_scope=True)` with `FromDishka[T]` "
    "parameters, so each call enters and closes the REQUEST scope. No background tasks: a "
    "request-scoped `Tasks` from a generator factory whose finalizer runs them."
)


def _provider(graph: Graph) -> Provider:
    provider = Provider()
    for node, cls in graph.classes.items():
        provider.provide(cls, scope=Scope.APP if node in graph.app_nodes else Scope.REQUEST)
    return provider


def _handler_source(graph: Graph, *, is_async: bool) -> str:
    p = graph.param
    roots = ", ".join(f"{p(r)}: FromDishka[{r}]" for r in graph.roots)
    return (
        f"{'async ' if is_async else ''}def handler({roots}) -> int:\n    return {graph.root_sum}"
    )


def _wrap(handler: Callable[..., Any], container: Any, *, is_async: bool) -> Callable[..., Any]:
    return wrap_injection(
        func=handler,
        container_getter=lambda args, kwargs: container,
        is_async=is_async,  # type: ignore[arg-type]
        manage_scope=True,
    )


def _graph_case(graph: Graph) -> Case:
    container = make_async_container(_provider(graph))
    handler = graph.compile(_handler_source(graph, is_async=True), FromDishka=FromDishka)["handler"]
    return Case(_wrap(handler, container, is_async=True))


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    container = make_container(_provider(graph))
    handler = graph.compile(_handler_source(graph, is_async=False), FromDishka=FromDishka)[
        "handler"
    ]
    return Case(_wrap(handler, container, is_async=False))


def build(graph: Graph) -> Callable[[], Awaitable[Any]]:
    container = make_async_container(_provider(graph))  # builds and validates the graph
    handler = graph.compile(_handler_source(graph, is_async=True), FromDishka=FromDishka)["handler"]
    wrapped: Callable[[], Awaitable[Any]] = _wrap(handler, container, is_async=True)
    return wrapped


def yield_tasks(shape: YieldShape) -> Case:
    provider = Provider(scope=Scope.REQUEST)
    for factory in (provide_conn, provide_session, provide_tasks, provide_audit):
        provider.provide(factory)
    container = make_async_container(provider)

    async def handler(
        audit: FromDishka[Audit], session: FromDishka[Session], tasks: FromDishka[Tasks]
    ) -> int:
        tasks.add_task(noop_task)
        return shape.handler_result(audit, session)

    return Case(
        _wrap(handler, container, is_async=True),
        note="tasks run by the finalizer of a request-scoped `Tasks` generator factory.",
    )
