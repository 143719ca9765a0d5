"""The core is layered: the plan compiler stands below the container, and no core module
imports one that imports it back."""

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


def _runtime_imports(module: str) -> set[str]:
    """The core modules ``module`` imports when it runs: at its top or inside a function
    (a lazy import still ties the two), but not under ``if TYPE_CHECKING:``."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    checking = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module)
    return {name for name in found if (PACKAGE / f"{name}.py").exists()}


def test_the_core_modules_import_each_other_without_a_circle() -> None:
    """Following the core's imports (lazy ones too) from any module never comes back to it."""
    core = sorted(path.stem for path in PACKAGE.glob("_*.py") if path.stem != "__init__")
    imports = {module: _runtime_imports(module) for module in core}
    for start in core:
        seen: set[str] = set()
        todo = [(start, (start,))]
        while todo:
            module, path = todo.pop()
            for name in sorted(imports.get(module, ())):
                assert name != start, "import circle: " + " -> ".join((*path, name))
                if name not in seen:
                    seen.add(name)
                    todo.append((name, (*path, name)))
