"""The Celery adapter without Celery installed: the ImportError says how to install it."""

from __future__ import annotations

from . import _scenarios as scenarios


def test_importing_without_celery_names_the_extra() -> None:
    """Without Celery installed, the import error names the extra and today's install."""
    assert scenarios.import_error_without("celery", "celery") == (
        "injectkit.integrations.celery needs Celery, which is not installed: "
        'python -m pip install "./injectkit[celery]" (from the directory holding your '
        'clone of injectkit; pip install "injectkit[celery]" once it is on PyPI)'
    )
