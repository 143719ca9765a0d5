"""The pytest plugin validates its container before the first test (ini injectkit_validate)."""

from __future__ import annotations

import pytest

from .conftest import RunPytest

PLUGIN_APP = """
from injectkit import Container

container = Container()


class Mailer:
    pass


@container.inject
def signup(email: str, mailer: Mailer) -> str:
    return email
"""

PLUGIN_CONFTEST = """
import pytest

from app import container


@pytest.fixture(scope="session")
def injectkit_container():
    return container
"""

PLUGIN_TEST = """
from app import Mailer, signup


def test_signup(injectkit_scope):
    assert signup("ada@example.com", mailer=Mailer()) == "ada@example.com"
"""


@pytest.fixture
def plugin_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(app=PLUGIN_APP, test_signup=PLUGIN_TEST)
    pytester.makeconftest(PLUGIN_CONFTEST)
    return pytester


def test_the_plugin_validates_its_container_strictly(
    plugin_project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """The plugin's app fixture reports the unregistered handler parameter before the test."""
    result = run_pytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E * injectkit.UnresolvableDependencyError: `Mailer` is not registered in the",
            "E * container, so nothing provides `mailer` to signup.",
        ],
        consecutive=True,
    )


def test_the_plugin_can_validate_leniently(
    plugin_project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """``injectkit_validate = lenient`` leaves the handler's parameter to the call."""
    plugin_project.makeini("[pytest]\ninjectkit_validate = lenient\n")
    run_pytest().assert_outcomes(passed=1)


def test_the_plugin_validation_can_be_turned_off(
    plugin_project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """``injectkit_validate = off`` does not validate at all."""
    plugin_project.makeini("[pytest]\ninjectkit_validate = off\n")
    run_pytest().assert_outcomes(passed=1)


def test_an_unknown_validation_mode_is_a_usage_error(
    plugin_project: pytest.Pytester, run_pytest: RunPytest
) -> None:
    """An unknown ``injectkit_validate`` value names the accepted ones."""
    plugin_project.makeini("[pytest]\ninjectkit_validate = maybe\n")
    result = run_pytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*injectkit_validate = 'maybe' is not accepted*"])
