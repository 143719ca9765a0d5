"""``injectkit.testing.__all__`` is exactly what the module exports, shown under its name."""

import types

import injectkit.testing


def test_all_lists_every_public_name() -> None:
    """Every public attribute (not a submodule) is in __all__, and __all__ names exist."""
    public = {
        name
        for name, value in vars(injectkit.testing).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(injectkit.testing.__all__)


def test_public_names_show_the_package_as_their_module() -> None:
    """Reprs and tracebacks name injectkit.testing.X, not a private module."""
    for name in injectkit.testing.__all__:
        obj = getattr(injectkit.testing, name)
        assert getattr(obj, "__module__", "injectkit.testing") == "injectkit.testing", name


def test_importing_it_does_not_need_pytest() -> None:
    """The helpers are plain Python: the module does not import pytest or the plugin."""
    import subprocess
    import sys

    code = (
        "import sys, injectkit.testing; "
        "assert 'pytest' not in sys.modules and 'injectkit.testing._plugin' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
