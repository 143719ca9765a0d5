"""Shared by the tests of injectkit.testing: pytester, and how to load the plugin in it."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

# Once the package declares the `injectkit` pytest11 entry point, pytest loads the plugin
# by itself; loading it again with -p would register it twice.
_INSTALLED = any(ep.name == "injectkit" for ep in entry_points(group="pytest11"))
PLUGIN_ARGS: tuple[str, ...] = () if _INSTALLED else ("-p", "injectkit.testing._plugin")

RunPytest = Callable[..., pytest.RunResult]

# Other installed plugins that the inner runs do not need and that take seconds to load.
SLOW_PLUGINS = ("faker", "hypothesispytest")


@pytest.fixture
def run_pytest(pytester: pytest.Pytester) -> RunPytest:
    """Run pytest with the plugin in ``pytester``'s directory.

    In-process by default (fast; the inner tests use their own containers); with
    ``subprocess=True`` in a fresh interpreter, for tests that use process-wide state
    such as ``injectkit.default_container``.
    """

    def run(
        *args: str, subprocess: bool = False, disable: tuple[str, ...] = SLOW_PLUGINS
    ) -> pytest.RunResult:
        blocked = [arg for name in ("cacheprovider", *disable) for arg in ("-p", f"no:{name}")]
        full = (*PLUGIN_ARGS, "-W", "error", *blocked, *args)
        if subprocess:
            return pytester.runpytest_subprocess(*full, timeout=300)
        return pytester.runpytest_inprocess(*full)

    return run
