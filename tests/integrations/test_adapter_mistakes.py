"""Mistakes in wiring an adapter are InjectionErrors naming the right call, in every adapter.

Litestar's own spellings (``InjectKitPlugin``, ``@inject`` above ``@get``) are in
test_litestar.py.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from injectkit import Container, InjectionError


def _starlette() -> tuple[ModuleType, Any, dict[str, Any]]:
    from starlette.applications import Starlette

    from injectkit.integrations import starlette

    return starlette, Starlette(), {}


def _fastapi() -> tuple[ModuleType, Any, dict[str, Any]]:
    from fastapi import FastAPI

    from injectkit.integrations import fastapi

    return fastapi, FastAPI(), {}


def _aiohttp() -> tuple[ModuleType, Any, dict[str, Any]]:
    from aiohttp import web

    from injectkit.integrations import aiohttp

    return aiohttp, web.Application(), {}


def _flask() -> tuple[ModuleType, Any, dict[str, Any]]:
    import flask as flask_framework

    from injectkit.integrations import flask

    return flask, flask_framework.Flask(__name__), {"close_at_exit": False}


def _litestar() -> tuple[ModuleType, Any, dict[str, Any]]:
    from litestar import Litestar

    from injectkit.integrations import litestar

    return litestar, Litestar([]), {}


ADAPTERS: dict[str, tuple[str, Callable[[], tuple[ModuleType, Any, dict[str, Any]]]]] = {
    "Starlette": ("starlette", _starlette),
    "FastAPI": ("fastapi", _fastapi),
    "aiohttp": ("aiohttp", _aiohttp),
    "Flask": ("flask", _flask),
    "Litestar": ("litestar", _litestar),
}


def adapter(framework: str) -> tuple[ModuleType, Any, dict[str, Any]]:
    package, make = ADAPTERS[framework]
    pytest.importorskip(package)
    return make()


@pytest.mark.parametrize("framework", sorted(ADAPTERS))
def test_setup_without_a_container_is_an_injection_error(framework: str) -> None:
    """setup(app, None) fails at once, naming the framework's setup call."""
    module, app, options = adapter(framework)
    with pytest.raises(
        InjectionError, match=rf"{framework} setup\(\) takes \(app, container\): got None"
    ):
        module.setup(app, None, **options)


@pytest.mark.parametrize("framework", sorted(ADAPTERS))
def test_setup_with_swapped_arguments_says_so(framework: str) -> None:
    """setup(container, app) fails at once and says the arguments are swapped."""
    module, app, options = adapter(framework)
    with pytest.raises(
        InjectionError, match=rf"{framework} setup\(\)(.|\n)*the arguments are swapped"
    ):
        module.setup(Container(), app, **options)


@pytest.mark.parametrize("framework", sorted(ADAPTERS))
def test_inject_on_something_other_than_a_function_is_an_injection_error(framework: str) -> None:
    """@inject on a non-function says to put it on the handler function."""
    module, _, _ = adapter(framework)
    not_a_function: Any = 42
    with pytest.raises(InjectionError, match="under the route decorator"):
        module.inject(not_a_function)


@pytest.mark.parametrize("framework", sorted(ADAPTERS))
def test_setup_twice_is_an_injection_error(framework: str) -> None:
    """A second setup() on one app is refused rather than wiring the app twice."""
    module, app, options = adapter(framework)
    container = Container()
    module.setup(app, container, **options)
    with pytest.raises(InjectionError, match="already been called for"):
        module.setup(app, container, **options)


def test_litestar_setup_on_an_app_with_the_plugin_is_an_injection_error() -> None:
    """setup() on a Litestar app built with InjectKitPlugin is refused like a second setup()."""
    pytest.importorskip("litestar")
    from litestar import Litestar

    from injectkit.integrations.litestar import InjectKitPlugin, setup

    container = Container()
    app = Litestar([], plugins=[InjectKitPlugin(container)])
    with pytest.raises(InjectionError, match="already been called for this Litestar app"):
        setup(app, container)
