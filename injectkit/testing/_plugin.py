"""The injectkit pytest plugin: a container, a request scope and captured tasks as fixtures.

Scopes map onto pytest's: the app scope lives as long as the ``injectkit_app`` fixture
(the whole session by default; ini option ``injectkit_app_scope``) and its finalizers run
at that fixture's end; the request scope is the test function: it opens when the test's
body starts and closes when the body ends (background tasks, then finalizers), in the
test's own context, so injected calls in the test join it on asyncio and trio alike.

Fixtures:

* ``injectkit_container`` — the container under test; override it in your conftest.py
  (default: ``injectkit.default_container``).
* ``injectkit_app`` — that container, validated when the fixture starts (ini option
  ``injectkit_validate``) and closed (``aclose()``) at its end; while it lives,
  ``call_provider(provider, ...)`` needs no container.
* ``injectkit_scope`` — the test's request scope.
* ``injectkit_tasks`` — the list of background tasks the test's request queued; asking
  for it keeps them from running.
* ``injectkit_recorder`` — a :class:`~injectkit.testing.Recorder` of the test's request.
* ``injectkit_override`` — ``injectkit_override(target, replacement)``, undone after the test.

Marker: ``@pytest.mark.injectkit_overrides({target: replacement, ...}, local=False)``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import AsyncExitStack, ExitStack
from typing import Any, Literal, cast

import anyio
import pytest

import injectkit

from .._background import BackgroundTask
from .._container import Container
from .._request import RequestScope
from ._isolated import called_without_container
from ._overrides import override
from ._recorder import Recorder

__all__ = [
    "injectkit_app",
    "injectkit_container",
    "injectkit_override",
    "injectkit_recorder",
    "injectkit_scope",
    "injectkit_tasks",
]

_SCOPES = ("session", "package", "module", "class", "function")
_VALIDATION = ("strict", "lenient", "off")
_Scope = Literal["session", "package", "module", "class", "function"]
_MARKER = "injectkit_overrides"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "injectkit_app_scope",
        "pytest scope of the injectkit_app fixture: app-scoped values live (and their "
        "finalizers run at the end of) this long. One of " + ", ".join(_SCOPES) + ".",
        default="session",
    )
    parser.addini(
        "injectkit_validate",
        "how injectkit_app checks the container before its first test: strict (every "
        "injected function's parameter annotated with a class must be provided), lenient "
        "(such a parameter of the function itself may come from the call) or off.",
        default="strict",
    )
    parser.addini(
        "injectkit_app_backend",
        "the anyio backend injectkit_app closes the container on (asyncio or trio).",
        default="asyncio",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(replacements, *, local=False): override providers of the "
        "injectkit_container for this test (a mapping of target to replacement).",
    )


# -- which container, and how long the app scope lives -------------------------------------


@pytest.fixture(scope="session")
def injectkit_container() -> Container:
    """The container under test; define your own ``injectkit_container`` to change it."""
    return injectkit.default_container


def _app_scope(fixture_name: str, config: pytest.Config) -> _Scope:
    value = str(config.getini("injectkit_app_scope")).strip()
    if value not in _SCOPES:
        raise pytest.UsageError(
            f"injectkit_app_scope = {value!r} is not a pytest scope; use one of "
            f"{', '.join(_SCOPES)}."
        )
    return cast(_Scope, value)


@pytest.fixture(scope=_app_scope)
def injectkit_app(
    injectkit_container: Container, pytestconfig: pytest.Config
) -> Iterator[Container]:
    """The container, validated first; its app scope ends (finalizers run) with the fixture.

    A broken graph fails every test that uses the fixture, with the InjectionError that
    lists each problem, before any provider runs.
    """
    mode = _validation(pytestconfig)
    if mode != "off":
        injectkit_container.validate(strict=mode == "strict")
    with called_without_container(injectkit_container):  # call_provider(provider, ...)
        yield injectkit_container
    backend = str(pytestconfig.getini("injectkit_app_backend")).strip() or "asyncio"
    anyio.run(injectkit_container.aclose, backend=backend)


def _validation(config: pytest.Config) -> str:
    value = str(config.getini("injectkit_validate")).strip() or "strict"
    if value not in _VALIDATION:
        raise pytest.UsageError(
            f"injectkit_validate = {value!r} is not accepted; use one of {', '.join(_VALIDATION)}."
        )
    return value


# -- the test's request ----------------------------------------------------------------------


class _TestRequest:
    """What the plugin does around one test's body."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.recorder: Recorder | None = None
        self.local_overrides: list[Mapping[Any, Any]] = []

    def recording(self) -> Recorder:
        if self.recorder is None:
            self.recorder = Recorder(self.container, tasks="run", providers=False)
        return self.recorder

    def wrap(self, test: Callable[..., Any]) -> Callable[..., Any]:
        if hasattr(test, "hypothesis"):
            pytest.fail(
                "injectkit's request fixtures and local overrides do not work with "
                "hypothesis' @given: open a scope per example in the test instead "
                "(`async with container.request() as scope:`).",
                pytrace=False,
            )
        if inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with AsyncExitStack() as stack:
                    for replacements in self.local_overrides:
                        stack.enter_context(override(self.container, replacements, local=True))
                    if self.recorder is not None:
                        await stack.enter_async_context(self.recorder)
                    return await test(*args, **kwargs)

            return run_async

        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            with ExitStack() as stack:
                for replacements in self.local_overrides:
                    stack.enter_context(override(self.container, replacements, local=True))
                if self.recorder is not None:
                    stack.enter_context(self.recorder)
                return test(*args, **kwargs)

        return run


_STATE = pytest.StashKey[_TestRequest]()


def _state(request: pytest.FixtureRequest, container: Container) -> _TestRequest:
    stash: pytest.Stash = request.node.stash
    state = stash.get(_STATE, None)
    if state is None:
        state = stash[_STATE] = _TestRequest(container)
    return state


@pytest.fixture
def injectkit_scope(request: pytest.FixtureRequest, injectkit_app: Container) -> RequestScope:
    """The test's request scope: open while the test body runs, closed right after it.

    Injected calls in the test join it (they share its request-scoped values, as inside
    one request); ``await injectkit_scope.call(f)`` and ``.resolve(T)`` work too.
    """
    return _state(request, injectkit_app).recording().scope


@pytest.fixture
def injectkit_tasks(
    request: pytest.FixtureRequest, injectkit_app: Container
) -> list[BackgroundTask[Any]]:
    """The background tasks the test's request queued, in order; they do not run.

    Compare with :func:`injectkit.testing.queued`: ``assert injectkit_tasks ==
    [queued(write_log, "message to a@b.c\\n")]``.
    """
    recorder = _state(request, injectkit_app).recording()
    recorder._configure(tasks="capture")
    return recorder.tasks


@pytest.fixture
def injectkit_recorder(request: pytest.FixtureRequest, injectkit_app: Container) -> Recorder:
    """Which providers, finalizers and tasks the test's request ran (see ``record``).

    Tasks run as usual unless the test also asks for ``injectkit_tasks``.
    """
    recorder = _state(request, injectkit_app).recording()
    recorder._configure(providers=True)
    return recorder


@pytest.fixture
def injectkit_override(injectkit_container: Container) -> Iterator[Callable[[Any, Any], None]]:
    """``injectkit_override(target, replacement)``: an override undone after the test."""
    with ExitStack() as stack:

        def add(target: Any, replacement: Any) -> None:
            stack.enter_context(injectkit_container.override(target, replacement))

        yield add


@pytest.fixture(autouse=True)
def _injectkit_marker_overrides(request: pytest.FixtureRequest) -> Iterator[None]:
    markers = list(request.node.iter_markers(_MARKER))
    if not markers:
        yield
        return
    container: Container = request.getfixturevalue("injectkit_container")
    with ExitStack() as stack:
        for marker in reversed(markers):  # the closest marker wins: enter it last
            replacements, local = _read_marker(marker)
            if local:
                _state(request, container).local_overrides.append(replacements)
            else:
                stack.enter_context(override(container, replacements))
        yield


def _read_marker(marker: pytest.Mark) -> tuple[Mapping[Any, Any], bool]:
    unknown = set(marker.kwargs) - {"local"}
    if len(marker.args) != 1 or not isinstance(marker.args[0], Mapping) or unknown:
        raise pytest.UsageError(
            f"@pytest.mark.{_MARKER} takes one mapping of target to replacement (and "
            f"local=True/False), e.g. @pytest.mark.{_MARKER}({{get_db: fake_db}}); "
            f"got args={marker.args!r} kwargs={marker.kwargs!r}."
        )
    return marker.args[0], bool(marker.kwargs.get("local", False))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    state = pyfuncitem.stash.get(_STATE, None)
    if state is None:
        return (yield)
    # Swap the test function for one that opens the request around its body, so the scope
    # lives in the test's own context (whatever runs it: anyio on asyncio or trio, or a
    # plain call) and closes before fixtures are torn down.
    original = pyfuncitem.obj
    pyfuncitem.obj = state.wrap(original)
    try:
        return (yield)
    finally:
        pyfuncitem.obj = original
