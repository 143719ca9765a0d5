"""The plan compiler stands below the container: it is handed what it needs."""

import ast
from pathlib import Path

import pytest

import injectkit

PACKAGE = Path(injectkit.__file__).parent
COMPILER = ("_compile", "_plan", "_plan_shape", "_plan_writer", "_plan_runtime", "_app_build")


def _imported(module: str) -> set[str]:
    """The injectkit modules ``module`` imports anywhere, ``if TYPE_CHECKING:`` included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level == 1:
                found.add(node.module)
            elif node.module.startswith("injectkit."):
                found.add(node.module.removeprefix("injectkit."))
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("injectkit.") for a in node.names)
    return found


@pytest.mark.parametrize("module", COMPILER)
def test_the_plan_compiler_never_imports_the_container(module: str) -> None:
    """No module of the plan compiler imports _container, not even for type checking."""
    assert (PACKAGE / f"{module}.py").exists()
    assert "_container" not in _imported(module)
