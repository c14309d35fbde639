"""The command line and secret storage: a secret too long for a password store."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import Cli
from tests.support.tokenserver import TokenServer
from tray_app.core.credentials import MAX_SECRET_UTF16_BYTES


def test_too_long_secret_is_refused_with_exit_2(
    tmp_path: Path, standard_server: TokenServer
) -> None:
    cli = Cli(tmp_path)
    pasted = "p" * (MAX_SECRET_UTF16_BYTES // 2 + 1)
    result = cli.run(
        "profile", "add", "Long", "--token-url", standard_server.token_url,
        "--client-id", "app", "--secret-stdin", stdin=pasted + "\n",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "token-tray: Client secret too long" in result.stderr
    assert pasted not in result.stderr
    assert result.stdout == ""
    assert cli.keyring() == {}
    assert not (cli.config_dir / "config.json").exists()

    result = cli.run("profile", "add", "Fits", "--token-url", standard_server.token_url,
                     "--client-id", "app", "--secret-stdin", stdin=pasted[:-1] + "\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(cli.keyring().values()) == [pasted[:-1]]
