"""The CLI's search for loaded containers leaves lazy proxies alone."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from injectkit import Container
from injectkit._cli_targets import loaded_containers


class LazyProxy:
    """Like Django's LazyObject: asking for ``__class__`` builds the wrapped object."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        raise RuntimeError("the proxy was evaluated")


@pytest.fixture
def module_with_a_proxy() -> Iterator[Container]:
    module = types.ModuleType("injectkit_test_lazy_module")
    module.storage = LazyProxy()  # type: ignore[attr-defined]
    module.container = container = Container()  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield container
    del sys.modules[module.__name__]


def test_loaded_containers_does_not_evaluate_lazy_proxies(
    module_with_a_proxy: Container,
) -> None:
    """A module holding a lazy proxy: its containers are found, the proxy stays lazy."""
    found = loaded_containers()
    assert found[module_with_a_proxy] == "injectkit_test_lazy_module:container"
