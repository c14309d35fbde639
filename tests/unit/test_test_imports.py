"""No test module imports another test module (or a conftest): shared helpers live in
tests/support, so a test file can be moved, renamed or run alone without breaking others."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.add(base)
            joint = "" if base.endswith(".") else "."
            found.update(f"{base}{joint}{alias.name}" for alias in node.names)
    return found


def is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def imported_test_modules(source: str) -> set[str]:
    return {name for name in imported_modules(ast.parse(source)) if is_test_module(name)}


def test_the_check_sees_every_kind_of_import() -> None:
    source = (
        "from tests.integration.test_cli import Cli\n"
        "import tests.ui.test_app\n"
        "from . import test_demo\n"
        "def f():\n    from tests.desktop.conftest import AppLauncher\n"
        "from tests.support.cli import Cli\n"
    )
    assert imported_test_modules(source) == {
        "tests.integration.test_cli",
        "tests.ui.test_app",
        ".test_demo",
        "tests.desktop.conftest",
    }


def test_no_test_module_imports_another() -> None:
    offenders = {
        str(path.relative_to(TESTS)): sorted(found)
        for path in sorted(TESTS.rglob("*.py"))
        if (found := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
