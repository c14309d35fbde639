"""The sdist and wheel as a package index receives them: built with ``python -m build`` (the
wheel from the sdist, so the sdist must be complete), checked with ``twine check --strict``,
and opened to see that the license, the man page and a description without dead links are in.
"""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from hatch_build import index_ready
from tests.support.processes import REPO_ROOT
from tray_app import __version__

BUILD_TIMEOUT = 600
DIST_NAME = f"token_tray-{__version__}"
RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)[^)]+\)", re.IGNORECASE)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


def test_twine_check_passes(dist: Path) -> None:
    files = sorted(str(path) for path in dist.iterdir())
    assert len(files) == 2
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_wheel_carries_license_man_page_and_a_description_without_dead_links(
    dist: Path,
) -> None:
    with zipfile.ZipFile(dist / f"{DIST_NAME}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = email.message_from_bytes(wheel.read(f"{DIST_NAME}.dist-info/METADATA"))
        license_text = wheel.read(f"{DIST_NAME}.dist-info/licenses/LICENSE").decode()
    assert license_text.startswith("MIT License")
    assert f"{DIST_NAME}.data/data/share/man/man1/token-tray.1" in names
    assert metadata["License-Expression"] == "MIT"
    description = metadata.get_payload()
    assert isinstance(description, str)
    assert "# Token Tray" in description
    assert RELATIVE_LINK.findall(description) == []
    assert "(`docs/screenshots/tray-menu.png` in the source distribution)" in description


def test_the_sdist_holds_what_the_readme_points_at(dist: Path) -> None:
    with tarfile.open(dist / f"{DIST_NAME}.tar.gz") as sdist:
        names = {name.removeprefix(f"{DIST_NAME}/") for name in sdist.getnames()}
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    pointed = set(re.findall(r"\]\((docs/[^)#\s]+|packaging/[^)#\s]+)", readme))
    assert pointed
    assert pointed <= names
    assert {"LICENSE", "hatch_build.py", "packaging/man/token-tray.1"} <= names


def test_a_source_url_makes_links_absolute() -> None:
    readme = "![Menu](docs/a.png) see [docs](docs/b.md), [web](https://x.example/) [top](#top)"
    assert index_ready(readme, "https://git.example/tt/") == (
        "![Menu](https://git.example/tt/raw/HEAD/docs/a.png) see "
        "[docs](https://git.example/tt/blob/HEAD/docs/b.md), [web](https://x.example/) [top](#top)"
    )
    assert index_ready(readme, None) == (
        "Menu (`docs/a.png` in the source distribution) see docs, [web](https://x.example/) "
        "[top](#top)"
    )
