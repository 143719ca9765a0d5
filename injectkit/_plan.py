"""A compiled plan: the functions a call runs, each compiled from source on first use.

``_compile`` decides what a graph's plan does and writes its source; this module holds the
result.  A plan function is compiled the first time it is called (a large graph then
costs one function's compile on its first call, not four), and then replaces itself in
the plan's namespace and on the plan, so later calls reach the compiled function directly.

Each function is compiled under a file name of its own whose source is registered in
``linecache`` (as attrs does for its generated methods), so a traceback through a plan
shows the generated line that called the failing provider.  The entry goes when the
function does.  All of this happens once, at compile time: a call costs nothing more.
"""

from __future__ import annotations

import itertools
import linecache
import threading
import weakref
from collections.abc import Callable
from typing import Any, cast

__all__ = ["ENTRIES", "Deferred", "Plan"]

# Plumbing between the user's call and the user's providers: pytest leaves this module's
# frames out of a failing test's traceback, as it does its own helpers' (a module global,
# so nothing happens per call; ``--fulltrace`` shows them).
__tracebackhide__ = True

# The plan functions callers reach through the Plan (the others only through its namespace).
ENTRIES = ("run", "fresh")


class Plan:
    """A graph compiled for one way of calling it (sync or async).

    ``run(state, args, kwargs)`` is the entry point for any request state; ``fresh`` is
    the same for a state just made from ``template`` (an injected call's own request),
    skipping the check for values already there.  Each is compiled on its first call.
    ``source`` is the generated Python of all its functions, for reading and debugging.
    """

    __slots__ = ("_sources", "fresh", "run", "stream", "template")

    def __init__(
        self,
        label: str,
        template: dict[object, Any],
        sources: dict[str, Callable[[], str]],
        ns: dict[str, Any],
        *,
        streams: bool,
    ) -> None:
        """``label``: the injected function's, for file names; ``sources``: each
        function's source, written when it is first compiled; ``ns``: the namespace they
        run in, where each finds the others."""
        self.template = template
        self._sources = sources
        self.run: Callable[..., Any]
        self.fresh: Callable[..., Any]
        # A generator handler's: ``run`` returning (generator, function stack); its
        # ``run`` gives an injected generator instead (see _generators).
        self.stream: Callable[..., Any]
        for name, source in sources.items():
            attribute = "stream" if streams and name == "run" else name
            deferred = Deferred(ns, name, source, label, self, attribute)
            ns[name] = deferred
            if name in ENTRIES:
                setattr(self, attribute, deferred)

    def compiled(self, name: str) -> Callable[..., Any]:
        """``run`` or ``fresh``, compiled now if it was not yet."""
        function = getattr(self, name)
        if isinstance(function, Deferred):
            function = function.compile()
        return cast("Callable[..., Any]", function)

    @property
    def source(self) -> str:
        # ``fresh`` is ``run`` without its first check: showing it would say nothing new.
        return "\n".join(make() for name, make in self._sources.items() if name != "fresh")


class Deferred:
    """A plan function compiled the first time it is called (then it replaces itself, in
    the plan's namespace and on the plan)."""

    def __init__(
        self,
        ns: dict[str, Any],
        name: str,
        source: Callable[[], str],
        label: str,
        plan: Plan,
        attribute: str,
    ) -> None:
        self._ns, self._name, self._source, self._label = ns, name, source, label
        self._plan = plan
        self._attribute = attribute  # its name on the plan
        self._lock = threading.Lock()

    def compile(self) -> Callable[..., Any]:
        with self._lock:
            function: Callable[..., Any] = self._ns[self._name]
            if function is self:
                function = _compile(self._source(), self._name, self._label, self._ns)
                if self._name in ENTRIES:
                    setattr(self._plan, self._attribute, function)
        return function

    def __call__(self, *args: Any) -> Any:
        return self.compile()(*args)


_numbers = itertools.count()


def _compile(source: str, name: str, label: str, ns: dict[str, Any]) -> Callable[..., Any]:
    """Define function ``name`` in ``ns`` from ``source``, under a unique file name whose
    lines ``linecache`` holds for as long as the function lives."""
    filename = f"<injectkit plan {name} for {label!r} #{next(_numbers)}>"
    exec(compile(source, filename, "exec"), ns)
    function: Callable[..., Any] = ns[name]
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    weakref.finalize(function, linecache.cache.pop, filename, None).atexit = False
    return function
