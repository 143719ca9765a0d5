"""Which free parameters of a handler's graph a client sets, decided once per endpoint.

A web adapter fills a handler's free parameters (those neither the container, the
request context nor the framework fills) from the path, then the query string: a client
controls every one of them whose annotation a string converts to, whether the handler
or a sub-dependency declares it.  :func:`sort_request_parameters` sorts the graph's free
parameters into the ones read from the request, the ones the framework fills itself
(FastAPI's and Litestar's own parameters), and the ones never read from the request
(``NotFromRequest[...]``, or a type no string converts to: they keep their defaults).
The adapters' readers, their OpenAPI parameters, ``explain`` and the graph CLI all ask
it, so they always agree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .._render import FreeParameter
from ._request_values import converter_for

__all__ = ["RequestParameters", "sort_request_parameters"]


@dataclass(frozen=True)
class RequestParameters:
    """A handler's free parameters, sorted by who fills them under a web adapter.

    ``from_request``: a client sets them (path, then query).  ``from_framework``: the
    framework fills them (and offers their values by name to the dependencies).
    ``server_side``: never read from the request; each keeps its default.
    ``unfilled``: required, yet no request string can fill them.  ``conflicting``:
    marked ``NotFromRequest`` while the framework fills the same name from the request.
    """

    from_request: tuple[FreeParameter, ...] = ()
    from_framework: tuple[FreeParameter, ...] = ()
    server_side: tuple[FreeParameter, ...] = ()
    unfilled: tuple[FreeParameter, ...] = ()
    conflicting: tuple[FreeParameter, ...] = ()

    def sources(self) -> dict[str, str]:
        """Where each free parameter comes from, in words (for graph labels)."""
        labels = {
            "from the request": self.from_request,
            "from the framework": self.from_framework,
            "its default, never from the request": self.server_side,
        }
        return {p.name: label for label, found in labels.items() for p in found}


def sort_request_parameters(
    free_parameters: Iterable[FreeParameter], framework_fills: Collection[str] = ()
) -> RequestParameters:
    """Sort ``free_parameters`` (``container.graph(f).free_parameters``); the framework
    fills the names in ``framework_fills``."""
    request: list[FreeParameter] = []
    framework: list[FreeParameter] = []
    server: list[FreeParameter] = []
    unfilled: list[FreeParameter] = []
    conflicting: list[FreeParameter] = []
    for free in free_parameters:
        if free.name in framework_fills:
            (conflicting if free.not_from_request else framework).append(free)
        elif free.not_from_request or converter_for(free.annotation) is None:
            (unfilled if free.required else server).append(free)
        else:
            request.append(free)
    return RequestParameters(
        tuple(request), tuple(framework), tuple(server), tuple(unfilled), tuple(conflicting)
    )
