"""``token-tray`` processes for the live-token tests: a headless agent and command-line calls.

:class:`Scene` is one user's private world: a config folder, the test-only file keyring
(:mod:`tests.support.file_keyring`) and a short runtime folder for the socket (Unix socket
paths are limited to about 100 bytes). :meth:`Scene.agent` starts ``python -m tray_app agent``
and returns once it answers ``status``; every process started is stopped at :meth:`close`.
Waits poll a condition against a deadline; nothing sleeps hoping something happened.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any
from unittest import mock

from tests.support.file_keyring import DIR_ENV, FileKeyring
from tests.support.keyring_session import stop_process
from tests.support.processes import REPO_ROOT, run_app, wait_until
from tray_app.core.config import ConfigStore
from tray_app.core.credentials import CredentialStore
from tray_app.core.errors import AppError
from tray_app.core.profile import Profile
from tray_app.core.repository import ProfileRepository
from tray_app.ipc import client as ipc_client
from tray_app.ipc import protocol

START_TIMEOUT = 30.0


class Scene:
    """A private config folder, file keyring and runtime folder, and the processes using them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runtime = Path(tempfile.mkdtemp(prefix="tt-agent-")) / "run"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.log: IO[bytes] = (root / "agent.log").open("ab")

    @property
    def socket(self) -> str:
        """The socket the app uses for ``runtime`` (a folder inside it when it is shared)."""
        folder = str(self.runtime)
        if os.path.lexists(folder) and not protocol.is_private_dir(folder):
            folder = protocol.private_subfolder(folder)
        return os.path.join(folder, protocol.SOCKET_NAME)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_TRAY", "PYTHON"))}
        env.update(
            TOKEN_TRAY_CONFIG_DIR=str(self.root / "config"),
            TOKEN_TRAY_RUNTIME_DIR=str(self.runtime),
            PYTHON_KEYRING_BACKEND="tests.support.file_keyring.FileKeyring",
            TOKEN_TRAY_TEST_KEYRING_DIR=str(self.root / "keyring"),
            PYTHONPATH=str(REPO_ROOT),
            XDG_STATE_HOME=str(self.root / "state"),
            QT_QPA_PLATFORM="offscreen",
        )
        env.update(extra)
        return env

    def save(self, profile: Profile, secret: str) -> None:
        """Store a profile and its secret as ``profile add`` would (in-process, cheap)."""
        with mock.patch.dict(os.environ, {DIR_ENV: str(self.root / "keyring")}):
            store = ConfigStore(self.root / "config")
            backend = FileKeyring()  # type: ignore[no-untyped-call]  # keyring is untyped
            ProfileRepository(store, CredentialStore(backend)).save_profile(profile, secret)

    def start(self, *argv: str) -> subprocess.Popen[bytes]:
        """``python -m tray_app ARGV`` in the background (stopped at :meth:`close`)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "tray_app", *argv],
            env=self.env(),
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        self.processes.append(process)
        return process

    def agent(self) -> subprocess.Popen[bytes]:
        """Start the agent; return once it answers and every profile has settled."""
        process = self.start("agent")
        self.wait_serving(process)
        return process

    def wait_serving(self, process: subprocess.Popen[bytes]) -> list[dict[str, Any]]:
        def settled() -> list[dict[str, Any]] | None:
            if process.poll() is not None:
                raise AssertionError(f"exited with {process.returncode}: {self.log_text()}")
            try:
                profiles = ipc_client.request_status(name=self.socket)
            except (
                ipc_client.TrayNotRunning,
                AppError,
            ):  # not listening, or its folder not yet 0700
                return None
            busy = {"fetching", "no token", "refreshing"}
            return profiles if not any(p["state"] in busy for p in profiles) else None

        result: list[dict[str, Any]] = wait_until(
            settled, timeout=START_TIMEOUT, what="the agent to serve"
        )
        return result

    def run(
        self, *argv: str, input_text: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """``python -m tray_app ARGV`` (or ``python -c CODE``), waited for; stdin ``input_text``."""
        return run_app(argv, self.env(**env), input_text)

    def log_text(self) -> str:
        self.log.flush()
        return (self.root / "agent.log").read_text(errors="replace")[-3000:]

    def stop(self, process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> int:
        process.send_signal(signum)
        return process.wait(timeout=30)

    def close(self) -> None:
        for process in self.processes:
            stop_process(process)
        self.log.close()
        shutil.rmtree(self.runtime.parent, ignore_errors=True)
