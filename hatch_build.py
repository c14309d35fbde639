"""Build hook: the package description is README.md with links that work on a package index.

A package index shows the description without the repository around it, so README.md's
relative links (``docs/screenshots/tray-menu.png``, ``packaging/README.md``) lead nowhere there.
When ``[project.urls]`` names a ``Source`` repository, they become absolute links into it (images
by their raw file). Without one no address is invented: an image becomes its description and
the file's place in the source distribution (which holds docs/), and other links keep only
their text — nothing on the page points at a missing file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

LINK = re.compile(r"(?P<image>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.IGNORECASE)


def index_ready(readme: str, source: str | None) -> str:
    """``readme`` with every relative link made absolute under ``source``, or made plain."""

    def fix(match: re.Match[str]) -> str:
        image, text, target = match["image"], match["text"], match["target"]
        if ABSOLUTE.match(target):
            return match[0]
        if source:
            kind = "raw" if image else "blob"
            return f"{image}[{text}]({source.rstrip('/')}/{kind}/HEAD/{target})"
        return f"{text} (`{target}` in the source distribution)" if image else text

    return LINK.sub(fix, readme)


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata: dict[str, Any]) -> None:
        readme = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        source = metadata.get("urls", {}).get("Source")
        metadata["readme"] = {
            "content-type": "text/markdown",
            "text": index_ready(readme, source),
        }
