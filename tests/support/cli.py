"""Runs the real command line (``python -m tray_app``) in a subprocess with a private config
folder, runtime folder and file keyring, and checks that no secret or token reaches its output.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
from pathlib import Path
from unittest import mock

from tests.support.file_keyring import DIR_ENV, FileKeyring
from tests.support.processes import run_app
from tests.support.tokenserver import SEED_CLIENT_SECRET, STANDARD_CLIENT_SECRET
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository
from tray_app.identity import KEYRING_SERVICE

REPO_ROOT = Path(__file__).resolve().parents[2]
WRONG_SECRET = "wrong-secret-Zq8v"
SECRETS = (SEED_CLIENT_SECRET, STANDARD_CLIENT_SECRET, WRONG_SECRET)

# Runs the real command line, with fetch_directly's sleep and clock injected: it records each
# sleep (and advances its clock) instead of waiting, then prints what it would have slept.
RECORD_SLEEPS = """
import functools, json, sys
from tray_app.cli import main as cli
from tray_app.cli import token as cli_token
slept, clock = [], [0.0]
def sleep(seconds):
    slept.append(seconds)
    clock[0] += seconds
cli_token.fetch_directly = functools.partial(
    cli_token.fetch_directly, sleep=sleep, monotonic=lambda: clock[0])
code = cli.main(sys.argv[1:])
print("SLEPT " + json.dumps(slept), file=sys.stderr)
sys.exit(code)
"""


@dataclasses.dataclass
class Cli:
    """Runs ``python -m tray_app`` with a private config folder and file keyring."""

    root: Path
    issued: list[str] = dataclasses.field(default_factory=list)

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def keyring_dir(self) -> Path:
        return self.root / "keyring"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_TRAY", "PYTHON"))}
        env.update(
            TOKEN_TRAY_CONFIG_DIR=str(self.config_dir),
            TOKEN_TRAY_RUNTIME_DIR=str(self.root / "run"),  # no tray runs there
            PYTHON_KEYRING_BACKEND="tests.support.file_keyring.FileKeyring",
            TOKEN_TRAY_TEST_KEYRING_DIR=str(self.keyring_dir),
            PYTHONPATH=str(REPO_ROOT),
        )
        env.update(extra)
        return env

    def run(self, *argv: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        """``python -m tray_app ARGV`` (or ``python -c CODE`` when ARGV starts with ``-c``)."""
        result = run_app(argv, self.env(**env), stdin)
        for secret in SECRETS:
            assert secret not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        for token in self.issued:
            assert token not in result.stderr
        return result

    def save(self, profile: Profile, secret: str) -> None:
        """Write a profile and its secret in-process, as ``profile add`` would."""
        with mock.patch.dict(os.environ, {DIR_ENV: str(self.keyring_dir)}):
            store = ConfigStore(self.config_dir)
            backend = FileKeyring()  # type: ignore[no-untyped-call]  # keyring is untyped
            ProfileRepository(store, CredentialStore(backend)).save_profile(profile, secret)

    def keyring(self) -> dict[str, str]:
        path = self.keyring_dir / "test-keyring.json"
        data: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        return data.get(KEYRING_SERVICE, {})

    def files(self) -> set[Path]:
        return set(self.config_dir.rglob("*"))


def expect(result: subprocess.CompletedProcess[str], code: int, *stderr: str) -> None:
    """``result`` exited with ``code`` and stderr says each of ``stderr``."""
    assert result.returncode == code, result.stderr
    for text in stderr:
        assert text in result.stderr


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/oauth/token"
