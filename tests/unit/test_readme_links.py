"""Every relative link of the README and of docs/ resolves: the file exists, and an anchor
(``#section``) names a heading of that file, as GitHub turns headings into anchors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def relative_links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [link for link in LINK.findall(text) if not re.match(r"[a-z]+:", link)]


def test_the_anchor_rule_matches_github() -> None:
    assert anchor("Team profiles: export and import") == "team-profiles-export-and-import"
    assert anchor("Getting a token: what the server answered") == (
        "getting-a-token-what-the-server-answered"
    )
    assert anchor("`token-tray status`") == "token-tray-status"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_resolves(document: Path) -> None:
    broken = []
    for link in relative_links(document):
        target, _, fragment = link.partition("#")
        path = (document.parent / target).resolve() if target else document
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"{link}: no heading #{fragment} in {path.name}")
    assert broken == []


def test_the_readme_starts_with_the_two_commands_and_says_whose_each_is() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = readme[: readme.index("\n## ")]
    assert top.index("`make run`") < top.index("`make test`")
    assert "You want to use Token Tray" in top
    assert "You change Token Tray's code" in top
    assert "```" not in top  # no code block for a reader who only wants the tray


def test_the_readme_is_for_users_and_short() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 220
    assert not re.search(r"\bissue \d+", readme, re.IGNORECASE)  # no internal issue numbers
