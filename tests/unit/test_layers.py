"""The package's layers, read from the source: who may import what, and no import cycles.

Read with :mod:`ast` rather than by importing, so a rule broken in a branch that never runs in
the tests (a platform's, a lazy import's) still fails here.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tray_app"
NO_QT = ("core", "ipc", "cli")
QTCORE_ONLY = ("runtime",)
WIDGET_MODULES = ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtSvg")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: -node.level]
    return ".".join([*base, node.module] if node.module else base)


def imported(module: str, tree: ast.Module, *, top_level_only: bool) -> Iterator[str]:
    """Every module ``tree`` imports (``from a import b`` yields ``a`` and ``a.b``)."""
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)
        if top_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not top_level_only or isinstance(node, ast.If | ast.Try | ast.With | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))


def layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


@pytest.mark.parametrize("name", NO_QT)
def test_the_display_free_layers_never_import_pyside6(name: str) -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module, tree in modules().items()
        if layer(module) == name
        for target in imported(module, tree, top_level_only=False)
        if target.split(".")[0] in ("PySide6", "shiboken6")
    )
    assert offenders == []


def test_the_runtime_imports_qtcore_only() -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module, tree in modules().items()
        if layer(module) in QTCORE_ONLY
        for target in imported(module, tree, top_level_only=False)
        if target.startswith(WIDGET_MODULES) or target.startswith("tray_app.gui")
    )
    assert offenders == []


# Which of the package's layers each layer may import. The command line is the entry point of
# every command, so it may start the others, but only from inside a function (checked below).
ALLOWED = {
    "": {""},
    "__main__": {"", "cli"},
    "identity": {""},
    "core": {"", "identity", "core"},
    "ipc": {"", "identity", "core", "ipc"},
    "cli": {"", "identity", "core", "ipc", "cli"},
    "runtime": {"", "identity", "core", "ipc", "runtime"},
    "gui": {"", "identity", "core", "ipc", "runtime", "gui", "demo"},
    "demo": {"", "identity", "core", "demo"},
    "resources": {""},
    "diagnostics": {"", "identity", "core", "ipc", "runtime", "gui", "diagnostics"},
}
LAZY_ONLY = {"cli": {"runtime", "gui", "diagnostics"}}


def test_every_module_is_in_a_known_layer() -> None:
    assert {layer(module) for module in modules()} <= set(ALLOWED)


def owner(target: str, known: dict[str, ast.Module]) -> str:
    """The module ``target`` names or, for ``from tray_app import __version__``, its owner."""
    while target not in known and "." in target:
        target = target.rpartition(".")[0]
    return target


def _layer_offenders(*, top_level_only: bool, allowed: dict[str, set[str]]) -> list[str]:
    trees = modules()
    return sorted(
        f"{module} imports {target}"
        for module, tree in trees.items()
        for target in imported(module, tree, top_level_only=top_level_only)
        if target.startswith("tray_app")
        and layer(owner(target, trees)) not in allowed[layer(module)]
    )


def test_each_layer_imports_only_the_layers_below_it() -> None:
    lazy = {name: ALLOWED[name] | LAZY_ONLY.get(name, set()) for name in ALLOWED}
    assert _layer_offenders(top_level_only=False, allowed=lazy) == []


def test_the_command_line_starts_the_other_layers_lazily() -> None:
    assert _layer_offenders(top_level_only=True, allowed=ALLOWED) == []


def import_graph() -> dict[str, set[str]]:
    """Every import, lazy ones included: a cycle closed inside a function is still a cycle."""
    trees = modules()
    return {
        module: {
            target
            for target in imported(module, tree, top_level_only=False)
            if target in trees and target != module
        }
        for module, tree in trees.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle in ``graph`` (as a path that ends where it starts), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_tray_app_has_no_import_cycle() -> None:
    graph = import_graph()
    # a package's __init__ is imported by each of its modules; only real edges count
    for module in graph:
        graph[module] = {t for t in graph[module] if not module.startswith(t + ".")}
    assert find_cycle(graph) == []


IMPORT_ALL = """
import importlib, pkgutil, sys
import tray_app.{layer} as layer
for found in pkgutil.walk_packages(layer.__path__, layer.__name__ + "."):
    importlib.import_module(found.name)
print(sorted(m for m in sys.modules if m.startswith({forbidden!r})))
"""


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("core", ("PySide6", "shiboken6")),
        ("ipc", ("PySide6", "shiboken6")),
        ("cli", ("PySide6", "shiboken6")),
        ("runtime", ("PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg", "tray_app.gui")),
    ],
)
def test_importing_a_layer_loads_nothing_it_may_not_use(
    name: str, forbidden: tuple[str, ...]
) -> None:
    """The same rules as above, for what the imports drag in at run time (any module deep)."""
    code = IMPORT_ALL.format(layer=name, forbidden=forbidden)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=PACKAGE.parent,
    )
    assert result.stdout.strip() == "[]"
