"""dependency-injector: providers on a container, ``@inject`` + wiring, ``Closing`` markers.

dependency-injector has no request scope of its own; its documented recipe for
per-request objects (the FastAPI example of ``ContextLocalResource``) is a
``ContextLocalResource`` -- one instance per context until it is shut down -- injected with
``Closing[Provide[...]]``, which shuts it (and every resource it depends on) down when the
injected call returns. So request-scoped nodes are ``ContextLocalResource`` s, app-scoped
ones ``Singleton`` s, and each ``@inject``-ed call is one request. The handler lives in a
module that ``container.wire`` patches, as wiring requires.
"""

import types
from collections.abc import Callable
from typing import Any

from dependency_injector import containers, providers
from dependency_injector.wiring import Closing, Provide, inject

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

NAME = "dependency-injector"
DISTRIBUTION = "dependency-injector"
WIRING = (
    "A `DynamicContainer` with a `ContextLocalResource` per request-scoped class and a "
    "`Singleton` per app-scoped one; the handler is `@inject`-ed with "
    '`Closing[Provide["name"]]` defaults and wired with `container.wire(modules=[...])`, so '
    "each call resolves and then shuts the request's resources down. No background tasks: a "
    "`Tasks` context-local resource whose shutdown runs them."
)

_modules = 0


def _wired(container: containers.DynamicContainer, source: str, **names: Any) -> Callable[..., Any]:
    """Define ``handler`` from ``source`` in a fresh module, wire it, return it."""
    global _modules
    _modules += 1
    module = types.ModuleType(f"benchmarks._graphs.dependency_injector_{_modules}")
    module.__dict__.update(names, inject=inject, Closing=Closing, Provide=Provide)
    exec(compile(source, f"<{module.__name__}>", "exec"), module.__dict__)
    container.wire(modules=[module])
    handler: Callable[..., Any] = module.handler
    return handler


def _container(graph: Graph) -> containers.DynamicContainer:
    container = containers.DynamicContainer()
    for node, deps in graph.deps.items():
        kwargs = {graph.param(d): getattr(container, graph.param(d)) for d in deps}
        cls = graph.classes[node]
        if node in graph.app_nodes:
            provider: providers.Provider[Any] = providers.Singleton(cls, **kwargs)
        else:
            provider = providers.ContextLocalResource(cls, **kwargs)
        setattr(container, graph.param(node), provider)
    return container


def _graph_case(graph: Graph, *, is_async: bool = True) -> Case:
    p = graph.param

    def default(node: str) -> str:
        marker = f'Provide["{p(node)}"]'
        return marker if node in graph.app_nodes else f"Closing[{marker}]"

    params = ", ".join(f"{p(r)}: {r} = {default(r)}" for r in graph.roots)
    source = (
        f"@inject\n{'async ' if is_async else ''}def handler({params}) -> int:\n"
        f"    return {graph.root_sum}\n"
    )
    return Case(_wired(_container(graph), source, **graph.classes))


single = diamond10 = singletons = chain50 = _graph_case


def diamond10_sync(graph: Graph) -> Case:
    return _graph_case(graph, is_async=False)


def yield_tasks(shape: YieldShape) -> Case:
    container = containers.DynamicContainer()
    container.conn = providers.ContextLocalResource(provide_conn)
    container.session = providers.ContextLocalResource(provide_session, conn=container.conn)
    container.tasks = providers.ContextLocalResource(provide_tasks)
    container.audit = providers.Factory(
        provide_audit, session=container.session, tasks=container.tasks
    )
    source = """
@inject
async def handler(
    audit: Audit = Closing[Provide["audit"]],
    session: Session = Provide["session"],
    tasks: Tasks = Provide["tasks"],
) -> int:
    tasks.add_task(noop_task)
    return shape.handler_result(audit, session)
"""
    handler = _wired(
        container,
        source,
        Audit=Audit,
        Session=Session,
        Tasks=Tasks,
        noop_task=noop_task,
        shape=shape,
    )
    return Case(
        handler,
        note="tasks run by the shutdown of a `Tasks` context-local resource. Only `audit` "
        "is marked `Closing` (which also shuts down the resources it depends on: session, "
        "conn, tasks): marking `session` too makes dependency-injector 4.49.1 shut it down "
        "twice, and the second async shutdown fails with `TypeError: 'NullAwaitable' object "
        "is not iterable`. `Closing` shuts resources down concurrently (`asyncio.gather`), "
        "in no set order.",
    )
