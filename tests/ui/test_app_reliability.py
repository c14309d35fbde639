"""The composition root under change from outside: the command line edits config.json while the
tray runs; the tray picks it up and neither side loses the other's change. Real stores, a real
loopback server, the CLI as a real subprocess (test-only file keyring)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.app_start import make_core, start_app
from tests.support.cli import Cli
from tests.support.fakes import FakeNetwork
from tests.support.memory_keyring import MemoryKeyring
from tests.support.tokenserver import Scripted, TokenServer
from tray_app.core.status import TokenState
from tray_app.gui.app import TrayApplication
from tray_app.runtime.host import Core

Reachability = QNetworkInformation.Reachability

WAIT_MS = 10_000

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


@pytest.fixture
def running(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    standard_server: TokenServer,
    network: FakeNetwork,
) -> Iterator[tuple[TrayApplication, Cli, Core]]:
    cli = Cli(tmp_path)
    core = make_core(cli.config_dir, MemoryKeyring())
    core.repository.save_profile(
        standard_server.profile(name="Tray"), standard_server.client_secret
    )
    app = TrayApplication(qapp, core, tray_available=lambda: False, reachability=lambda: network)
    start_app(qtbot, app)
    yield app, cli, core
    app.shutdown()
    assert app.host.fetch_pool.waitForDone(WAIT_MS)
    app.deleteLater()


def names(app: TrayApplication) -> list[str]:
    return [service.profile.name for service in app.host.registry.services()]


def test_the_tray_picks_up_a_profile_added_on_the_command_line(
    qtbot: QtBot, running: tuple[TrayApplication, Cli, Core], standard_server: TokenServer
) -> None:
    app, cli, core = running
    assert names(app) == ["Tray"]
    assert app.host.config_watcher.watched()

    added = cli.run(
        "profile", "add", "FromCli", "--token-url", standard_server.token_url,
        "--client-id", standard_server.client_id, "--secret-stdin",
        stdin=standard_server.client_secret + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    qtbot.waitUntil(lambda: names(app) == ["Tray", "FromCli"], timeout=WAIT_MS)
    service = app.host.registry.services()[1]
    assert service.status().state in (TokenState.FETCHING, TokenState.FAILED, TokenState.VALID)

    # The tray's next save (as the settings window makes it) keeps the CLI's profile ...
    tray_side = app.host.registry.services()[0].profile.replace(scope="read")
    app.apply_config(core.repository.save_profile(tray_side, None))
    # ... and the CLI's next change keeps the tray's.
    removed = cli.run("profile", "remove", "FromCli")
    assert removed.returncode == 0, removed.stderr
    qtbot.waitUntil(lambda: names(app) == ["Tray"], timeout=WAIT_MS)
    assert app.host.registry.services()[0].profile.scope == "read"


def test_a_half_written_file_is_ignored_until_it_is_whole(
    qtbot: QtBot, running: tuple[TrayApplication, Cli, Core]
) -> None:
    app, cli, _core = running
    path = cli.config_dir / "config.json"
    good = path.read_text()
    with qtbot.waitSignal(app.host.config_watcher.changed, timeout=WAIT_MS):
        path.write_text(good[: len(good) // 2])  # an editor saving in place, caught midway
    assert names(app) == ["Tray"]  # kept what it had; the file is not touched
    assert path.read_text() == good[: len(good) // 2]
    with qtbot.waitSignal(app.host.config_watcher.changed, timeout=WAIT_MS):
        path.write_text(good.replace('"Tray"', '"Renamed"'))
    qtbot.waitUntil(lambda: names(app) == ["Renamed"], timeout=WAIT_MS)


def test_watchers_run_and_network_back_retries_at_once(
    qtbot: QtBot,
    running: tuple[TrayApplication, Cli, Core],
    standard_server: TokenServer,
    network: FakeNetwork,
) -> None:
    app, _cli, _core = running
    assert app.host.heartbeat.timer.isActive()
    assert app.host.network.active
    (service,) = app.host.registry.services()
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    standard_server.script(Scripted(503, b"", (("Retry-After", "3600"),)))
    service.refresh_now()
    qtbot.waitUntil(lambda: service.status().error is not None, timeout=WAIT_MS)
    status = service.status()
    assert status.failing
    assert status.next_attempt_at is not None  # an hour away, as the server asked

    network.change(Reachability.Online)

    assert service.status().state is TokenState.REFRESHING  # at once, not in an hour
    qtbot.waitUntil(lambda: service.status().state is TokenState.VALID, timeout=WAIT_MS)
    assert standard_server.request_count == 3
    assert service.status().error is None
