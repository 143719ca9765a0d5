"""What the step-by-step tests of injected generators (sync and async) log: one set of
events for both, so the two files differ only in how their generators are driven."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from injectkit import Container


class EventsBase:
    """Providers that log what they see, one of which fails its rollback."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.log: list[str] = []

    @contextmanager
    def session_events(self) -> Iterator[None]:
        """Around the session's ``yield``: opened, what was thrown in, closed."""
        self.log.append("session open")
        try:
            yield
        except LookupError as exc:
            self.log.append("rollback failed")
            raise OSError("rollback failed") from exc
        except BaseException as exc:
            self.log.append(f"session saw {type(exc).__name__}")
            raise
        finally:
            self.log.append("session closed")

    def local(self) -> Iterator[str]:
        try:
            yield "local"
        finally:
            scope = self.container.current_scope
            self.log.append(f"local closed in a request: {scope is not None}")
