"""The key under which a request's state names the request (a leaf: _dispatch finds a
request by it without importing _request, which imports _background, which imports it)."""

from __future__ import annotations

__all__ = ["META", "Sentinel"]


class Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


# A request's state (a dict) holds the request-scoped values by cache key, plus one
# entry under META saying what the request is (see _request).
META = Sentinel("request")
