"""The adapter kernel imports no framework; each adapter imports only its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import injectkit.integrations

from ._scenarios import fresh_interpreter_output

FRAMEWORKS = (
    "starlette",
    "fastapi",
    "flask",
    "werkzeug",
    "aiohttp",
    "litestar",
    "django",
    "falcon",
    "click",
    "typer",
)
KERNEL_MODULES = sorted(
    f"injectkit.integrations.{path.stem}"
    for path in Path(injectkit.integrations.__file__).parent.glob("_*.py")
)
# What each adapter may import besides its own framework (FastAPI is built on Starlette).
OWN = {
    "starlette": {"starlette"},
    "fastapi": {"fastapi", "starlette"},
    "flask": {"flask", "werkzeug", "click"},  # Flask's own CLI is built on Click
    "aiohttp": {"aiohttp"},
    "litestar": {"litestar"},
    "django": {"django"},
    "falcon": {"falcon"},
    "click": {"click"},
    "typer": {"typer"},
}


def frameworks_imported_by(*modules: str, blocked: tuple[str, ...] = ()) -> list[str]:
    """The FRAMEWORKS in sys.modules after importing ``modules`` in a fresh interpreter
    where ``blocked`` cannot be imported."""
    output = fresh_interpreter_output(
        f"""
        import importlib, json, sys
        for name in {list(blocked)!r}:
            sys.modules[name] = None  # as if it were not installed
        for module in {list(modules)!r}:
            importlib.import_module(module)
        print(json.dumps(sorted(
            f for f in {list(FRAMEWORKS)!r} if sys.modules.get(f) is not None
        )))
        """
    )
    imported: list[str] = json.loads(output)
    return imported


def test_kernel_modules_import_with_no_framework_installed() -> None:
    """Every private kernel module imports, and imports no framework, with none installed."""
    assert "injectkit.integrations._kernel" in KERNEL_MODULES
    imported = frameworks_imported_by("injectkit.integrations", *KERNEL_MODULES, blocked=FRAMEWORKS)
    assert imported == []


@pytest.mark.parametrize("adapter", sorted(OWN))
def test_adapter_imports_only_its_own_framework(adapter: str) -> None:
    """Importing one adapter brings in its framework and no other adapter's."""
    imported = set(frameworks_imported_by(f"injectkit.integrations.{adapter}"))
    assert adapter in imported
    assert imported <= OWN[adapter]
