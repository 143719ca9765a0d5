"""Mistakes in calling the testing tools are InjectionErrors that say what was expected."""

from collections.abc import Callable
from typing import Any

import pytest

from injectkit import Container, InjectionError
from injectkit.testing import explain, fake, override, record, unused_providers


def plain() -> None:
    pass


container = Container()

MISTAKES: dict[str, tuple[Callable[[], Any], str]] = {
    "override with a list": (
        lambda: override(container, [(int, 1)]).__enter__(),  # type: ignore[arg-type]
        r"override\(\) takes a mapping of target to replacement",
    ),
    "override, arguments swapped": (
        lambda: override({}, container).__enter__(),  # type: ignore[arg-type]
        r"override\(\) takes a Container first",
    ),
    "fake raising a string": (
        lambda: fake(raises="db down"),  # type: ignore[call-overload]
        r"fake\(raises=\.\.\.\) needs an exception",
    ),
    "record without a container": (
        lambda: record(None),  # type: ignore[arg-type]
        r"record\(\) takes a Container first",
    ),
    "record given a list of functions": (
        lambda: record(container, [plain]),  # type: ignore[list-item]
        r"record\(\) watches functions",
    ),
    "explain, arguments swapped": (
        lambda: explain(plain, container),  # type: ignore[arg-type]
        r"explain\(\) takes a Container first",
    ),
    "unused_providers without a container": (
        lambda: unused_providers(None),  # type: ignore[arg-type]
        r"unused_providers\(\) takes a Container first",
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_wrong_argument_is_named_in_an_injection_error(mistake: str) -> None:
    """Each mistake raises InjectionError with the expected shape of the call."""
    call, message = MISTAKES[mistake]
    with pytest.raises(InjectionError, match=message):
        call()
