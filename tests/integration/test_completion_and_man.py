"""Shell completion and the man page, both generated from the argparse parser.

Completion is exercised in a real interactive bash (``bash --norc -i``) that sources the script
``token-tray completion bash`` printed and calls its completion function as bash's ``<TAB>``
does (``COMP_WORDS``/``COMP_CWORD``); ``token-tray`` on its PATH is this checkout, with a private
config folder holding the saved profiles. zsh and fish scripts are checked by the shells' own
parsers. The man page is rendered by ``man -l`` with groff's warnings on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.keyring_session import skip_or_fail
from tests.support.processes import REPO_ROOT, run_app
from tray_app.core.config import ConfigStore
from tray_app.core.profile import Profile

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="completion and man pages are for POSIX shells and man"
)
NAMES = ("Work", "Tarkov API", "staging")
MAN_PAGE = REPO_ROOT / "packaging" / "man" / "token-tray.1"
COMPLETE = """\
source "$1"
COMP_WORDS=({words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
_shtab_token_tray token-tray "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """``token-tray`` on PATH (this checkout) and a config folder with three profiles."""
    store = ConfigStore(tmp_path / "config")
    config = store.load()
    for name in NAMES:
        config.upsert(Profile(name=name, token_url="https://auth.example.com/t", client_id="app"))
    store.save(config)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "token-tray"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tray_app "$@"\n')
    wrapper.chmod(0o755)
    values = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_TRAY", "PYTHON"))}
    values.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        TOKEN_TRAY_CONFIG_DIR=str(tmp_path / "config"),
        TOKEN_TRAY_RUNTIME_DIR=str(tmp_path / "run"),
        PYTHONPATH=str(REPO_ROOT),
        HOME=str(tmp_path),
    )
    return values


def script(env: dict[str, str], shell: str, folder: Path) -> Path:
    result = run_app(("completion", shell), env)
    assert (result.returncode, result.stderr) == (0, "")
    path = folder / f"token-tray.{shell}"
    path.write_text(result.stdout)
    return path


def offered(env: dict[str, str], bash_script: Path, *words: str) -> list[str]:
    """What bash's <TAB> offers after ``token-tray WORDS`` (the last word being completed)."""
    quoted = " ".join(f"'{word}'" for word in words)
    program = COMPLETE.format(words=f"token-tray {quoted}")
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-i", "-c", program, "bash", str(bash_script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_bash_completes_saved_profile_names(env: dict[str, str], tmp_path: Path) -> None:
    bash_script = script(env, "bash", tmp_path)
    assert sorted(offered(env, bash_script, "token", "--profile", "")) == sorted(NAMES)
    assert offered(env, bash_script, "token", "--profile", "Ta") == ["Tarkov API"]
    for action in ("edit", "remove", "export", "set-secret"):
        assert offered(env, bash_script, "profile", action, "st") == ["staging"]
    assert "--min-valid" in offered(env, bash_script, "token", "--m")
    assert "env" in offered(env, bash_script, "token", "--format", "e")


@pytest.mark.parametrize(
    ("shell", "check"), [("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])]
)
def test_zsh_and_fish_scripts_parse_and_ask_for_names(
    env: dict[str, str], tmp_path: Path, shell: str, check: list[str]
) -> None:
    path = script(env, shell, tmp_path)
    assert "token-tray profile list --names" in path.read_text()
    if shutil.which(check[0]) is None:
        skip_or_fail(f"needs {shell} to check the script's syntax (apt package {shell})")
    parsed = subprocess.run([*check, str(path)], capture_output=True, text=True, check=False)
    assert (parsed.returncode, parsed.stderr) == (0, "")


def test_completion_costs_token_nothing(env: dict[str, str]) -> None:
    code = (
        "import sys; from tray_app.cli.main import main; main(['profile', 'list', '--names']);"
        " print('shtab' in sys.modules)"
    )
    result = run_app(("-c", code), env)
    assert result.stdout.splitlines() == [*NAMES, "False"]


def test_the_man_page_is_current_and_renders_without_warnings() -> None:
    check = subprocess.run(
        [sys.executable, str(REPO_ROOT / "packaging" / "manpage.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    if shutil.which("man") is None:
        skip_or_fail("needs man (apt packages man-db and groff-base)")
    rendered = subprocess.run(
        ["man", "--warnings", "-l", str(MAN_PAGE)],
        env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (rendered.returncode, rendered.stderr) == (0, "")
    text = rendered.stdout
    for expected in ("TOKEN-TRAY(1)", "token-tray profile edit", "--min-valid", "EXIT STATUS"):
        assert expected in text
