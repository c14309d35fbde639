"""Every error title a user can meet is explained in the troubleshooting guide
(docs/troubleshooting.md, which the README links to), and the guide names no title that is gone.

Titles are collected from the source (AST), not listed by hand, so a new error without a README
entry fails here: calls of AppError and its helpers with a literal title, ``title = "…"``
assignments, ``*_TITLE`` constants, and the (title, advice) tables of oauth_errors.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tray_app.core import oauth_errors
from tray_app.core.profile import FIELD_LABELS

ROOT = Path(__file__).resolve().parents[2]
# Function name → index of its title argument.
TITLE_ARGUMENT = {
    "AppError": 1,
    "UnsafeFolderError": 1,
    "usage_error": 0,
    "unavailable": 0,
    "_error": 0,
    "_call": 2,
}


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _titles_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            index = TITLE_ARGUMENT.get(str(called))
            if index is not None and len(node.args) > index:
                found.add(_literal(node.args[index]) or "")
            elif called == "get" and len(node.args) == 2 and isinstance(node.args[1], ast.Tuple):
                if not node.args[1].elts:
                    continue
                found.add(_literal(node.args[1].elts[0]) or "")  # a (title, advice) default
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            name = str(getattr(target, "id", ""))
            if name in ("title", "TITLE") or (name.startswith("_") and name.endswith("_TITLE")):
                found.add(_literal(node.value) or "")
    return found - {""}


def code_titles() -> set[str]:
    titles: set[str] = set()
    for path in (ROOT / "tray_app").rglob("*.py"):
        titles |= _titles_in(ast.parse(path.read_text(encoding="utf-8")))
    tables = (
        oauth_errors._OAUTH_ERRORS,
        oauth_errors._TRANSIENT_TEXT,
        oauth_errors._CLIENT_TEXT,
        oauth_errors._KNOWN_MESSAGES,
        oauth_errors._KEY_REFUSED,
    )
    for table in tables:
        titles |= {title for title, _advice in table.values()}
    return titles


def dynamic_titles() -> set[str]:
    """Titles built at run time: usage_error(f"Invalid {label}", …) names a settings field."""
    return {f"Invalid {label}" for label in FIELD_LABELS.values()}


def troubleshooting() -> str:
    guide = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    assert "(docs/troubleshooting.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    return guide


def test_the_collector_finds_titles_of_every_kind() -> None:
    titles = code_titles()
    assert "Wrong client ID or secret" in titles  # a table
    assert "Untrusted certificate" in titles  # title = "…"
    assert "Settings file cannot be read" in titles  # a *_TITLE constant
    assert "Secret could not be read" in titles  # CredentialStore._call
    assert "Password storage does not answer" in titles  # AppError(...)
    assert len(titles) > 50


def test_every_error_title_is_in_the_troubleshooting_section() -> None:
    section = troubleshooting()
    missing = sorted(title for title in code_titles() if f"**{title}**" not in section)
    assert missing == []


NOT_ERROR_TITLES = {"… needs your attention"}
"""Rows that explain a notification, not an error title."""


def readme_titles() -> set[str]:
    """The bold titles in the first column of the troubleshooting tables."""
    titles: set[str] = set()
    for line in troubleshooting().splitlines():
        if line.startswith("| **"):
            first_cell = line[2:].split(" | ", 1)[0]
            titles |= set(re.findall(r"\*\*(.+?)\*\*", first_cell))
    return titles


def test_the_troubleshooting_section_names_no_title_the_code_no_longer_has() -> None:
    stale = sorted(readme_titles() - code_titles() - dynamic_titles() - NOT_ERROR_TITLES)
    assert stale == []
