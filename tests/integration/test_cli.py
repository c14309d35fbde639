"""``token-tray`` as a user runs it: a subprocess against the real loopback token server.

Every run uses a private config folder (``TOKEN_TRAY_CONFIG_DIR``) and the test-only file keyring
(``tests.support.file_keyring``), so the real keyring and config are never touched. Every run
also checks that no client secret appears in its output and no token appears on stderr.
Profiles that only set the scene for an error are written in-process (cheap); the two the issue
names (seed JSON, standard form + Basic) go through ``profile add`` itself.
"""

from __future__ import annotations

import calendar
import json
import os
import pty
import re
import select
import shlex
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import REPO_ROOT, SECRETS, WRONG_SECRET, Cli, closed_port_url, expect
from tests.support.file_keyring import LOCKED_ENV
from tests.support.tokenserver import (
    SEED_CLIENT_ID,
    SEED_CLIENT_SECRET,
    STANDARD_CLIENT_ID,
    STANDARD_CLIENT_SECRET,
    Scripted,
    TokenServer,
)
from tray_app import __version__
from tray_app.core.profile import BodyFormat

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def seed() -> Iterator[TokenServer]:
    with TokenServer("seed") as server:
        yield server


@pytest.fixture(scope="module")
def standard() -> Iterator[TokenServer]:
    with TokenServer("standard") as server:
        yield server


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture(scope="module")
def configured(
    tmp_path_factory: pytest.TempPathFactory, seed: TokenServer, standard: TokenServer
) -> Cli:
    """Seed and Standard added through ``profile add``; profiles for error cases in-process."""
    cli = Cli(tmp_path_factory.mktemp("cli"))
    added_seed = cli.run(
        "profile", "add", "Seed", "--token-url", seed.token_url, "--client-id", SEED_CLIENT_ID,
        "--body", "json", "--secret-stdin", stdin=SEED_CLIENT_SECRET + "\n",
    )  # fmt: skip
    expect(added_seed, 0, "Saved profile “Seed” (the default).")
    added_standard = cli.run(
        "profile", "add", "Standard", "--token-url", standard.token_url, "--secret-stdin",
        "--client-id", STANDARD_CLIENT_ID, "--api-url", standard.api_url,
        stdin=STANDARD_CLIENT_SECRET + "\n",
    )  # fmt: skip
    expect(added_standard, 0, "Saved profile “Standard”.")
    assert added_seed.stdout == added_standard.stdout == ""
    cli.save(standard.profile(name="Wrong"), WRONG_SECRET)
    cli.save(seed.profile(name="SeedAsForm", body_format=BodyFormat.FORM), SEED_CLIENT_SECRET)
    cli.save(standard.profile(name="Down", token_url=closed_port_url()), STANDARD_CLIENT_SECRET)
    return cli


def token(cli: Cli, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``token``; it must leave no new file in the config folder."""
    before = cli.files()
    result = cli.run("token", *argv)
    assert cli.files() == before
    return result


def test_profile_add_keeps_the_secret_in_the_keyring_only(configured: Cli) -> None:
    config = (configured.config_dir / "config.json").read_text()
    assert all(secret not in config for secret in SECRETS)
    assert SEED_CLIENT_SECRET in configured.keyring().values()
    assert STANDARD_CLIENT_SECRET in configured.keyring().values()


def test_profile_list_table(configured: Cli, seed: TokenServer, standard: TokenServer) -> None:
    result = configured.run("profile", "list")
    expect(result, 0)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "TOKEN", "URL", "CLIENT", "ID", "REQUEST"]
    assert lines[1].split() == ["*", "Seed", seed.token_url, SEED_CLIENT_ID, "json,", "body"]
    standard_row = ["Standard", standard.token_url, STANDARD_CLIENT_ID, "form,", "basic"]
    assert lines[2].split() == standard_row
    assert len(lines) == 6


def test_profile_list_json(configured: Cli, standard: TokenServer) -> None:
    result = configured.run("profile", "list", "--json")
    expect(result, 0)
    profiles = json.loads(result.stdout)
    assert [p["name"] for p in profiles] == ["Seed", "Standard", "Wrong", "SeedAsForm", "Down"]
    assert [p["default"] for p in profiles] == [True, False, False, False, False]
    assert profiles[1]["token_url"] == standard.token_url
    assert (profiles[1]["body_format"], profiles[1]["client_auth"]) == ("form", "basic")
    assert profiles[1]["api_url"] == standard.api_url
    assert not any("secret" in key for p in profiles for key in p)


def test_profile_list_when_empty(cli: Cli) -> None:
    result = cli.run("profile", "list")
    expect(result, 0, "No profile yet")
    assert result.stdout == ""
    assert json.loads(cli.run("profile", "list", "--json").stdout) == []


def test_profile_remove_deletes_config_entry_and_secret(cli: Cli, standard: TokenServer) -> None:
    added = cli.run(
        "profile", "add", "Temp", "--token-url", standard.token_url, "--client-id", "x",
        "--secret-stdin", stdin=STANDARD_CLIENT_SECRET + "\n",
    )  # fmt: skip
    expect(added, 0)
    assert list(cli.keyring().values()) == [STANDARD_CLIENT_SECRET]
    expect(cli.run("profile", "remove", "Temp"), 0, "Removed profile “Temp”")
    assert cli.keyring() == {}
    assert json.loads((cli.config_dir / "config.json").read_text())["profiles"] == []
    expect(cli.run("profile", "remove", "Temp"), 2, "No profile yet")


def read_until(fd: int, needle: bytes, timeout: float = 30.0) -> bytes:
    """Read from a pty master until ``needle`` shows up (or the other side closes)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        try:
            chunk = os.read(fd, 4096) if ready else b""
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_profile_add_on_a_terminal_asks_without_echo(cli: Cli, standard: TokenServer) -> None:
    master, slave = pty.openpty()
    argv = ["profile", "add", "Typed", "--token-url", standard.token_url, "--client-id", "x"]
    with subprocess.Popen(
        [sys.executable, "-m", "tray_app", *argv],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
        cwd=REPO_ROOT,
        env=cli.env(),
        start_new_session=True,  # no controlling terminal: getpass uses the pty on stdin
    ) as child:
        os.close(slave)
        try:
            prompt = read_until(master, b"Client secret for Typed: ")
            os.write(master, STANDARD_CLIENT_SECRET.encode() + b"\n")
            rest = read_until(master, b"Saved profile")
        finally:
            os.close(master)
        assert child.wait(timeout=30) == 0
    assert b"Client secret for Typed: " in prompt
    assert STANDARD_CLIENT_SECRET.encode() not in prompt + rest
    assert list(cli.keyring().values()) == [STANDARD_CLIENT_SECRET]


def test_token_raw_is_the_issued_token(configured: Cli, seed: TokenServer) -> None:
    result = token(configured)
    expect(result, 0)
    assert result.stdout.endswith("\n")
    assert result.stdout.count("\n") == 1
    assert result.stdout.strip() == seed.issued_tokens[-1]
    assert result.stderr == ""
    configured.issued.append(seed.issued_tokens[-1])


def test_token_header_opens_the_api(configured: Cli, standard: TokenServer) -> None:
    result = token(configured, "--profile", "Standard", "--format", "header")
    expect(result, 0)
    issued = standard.issued_tokens[-1]
    configured.issued.append(issued)
    assert result.stdout == f"Authorization: Bearer {issued}\n"
    name, _, value = result.stdout.strip().partition(": ")
    request = urllib.request.Request(standard.api_url, headers={name: value})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def test_token_curl_parses_as_a_command(configured: Cli, standard: TokenServer) -> None:
    result = token(configured, "--profile", "standard", "--format", "curl")
    expect(result, 0)
    issued = standard.issued_tokens[-1]
    configured.issued.append(issued)
    assert shlex.split(result.stdout) == [
        "curl",
        "-H",
        f"Authorization: Bearer {issued}",
        standard.api_url,
    ]


def test_token_json(configured: Cli, seed: TokenServer) -> None:
    started = time.time()
    result = token(configured, "--profile", "Seed", "--format", "json", "--min-valid", "600")
    expect(result, 0)
    data = json.loads(result.stdout)
    configured.issued.append(data["access_token"])
    assert list(data) == ["access_token", "token_type", "expires_at", "expires_in"]
    assert data["access_token"] == seed.issued_tokens[-1]
    assert data["token_type"] == "Bearer"
    assert ISO_UTC.fullmatch(data["expires_at"])
    assert 1790 <= data["expires_in"] <= 1800
    expires_at = calendar.timegm(time.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(expires_at - (started + 1800)) < 10


def test_no_profile_yet_exits_2(cli: Cli) -> None:
    expect(cli.run("token"), 2, "token-tray: No profile yet", "token-tray profile add", "Settings")


def test_unknown_profile_exits_2_and_names_the_known_ones(configured: Cli) -> None:
    result = token(configured, "--profile", "Nope")
    expect(result, 2, "token-tray: Unknown profile", "Seed, Standard, Wrong, SeedAsForm, Down")
    assert result.stdout == ""


def test_bad_arguments_exit_2(configured: Cli) -> None:
    expect(configured.run("token", "--format", "xml"), 2, "invalid choice")


def test_min_valid_longer_than_the_lifetime_exits_2(configured: Cli, seed: TokenServer) -> None:
    result = token(configured, "--min-valid", "4000")
    expect(result, 2, "token-tray: Token too short-lived", "1800 seconds", "--min-valid out")
    configured.issued.append(seed.issued_tokens[-1])
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--token-url", "http://auth.example.com/token"], "https://"),
        (["--token-url", "not a url"], "Token URL"),
        (["--issuer", "http://auth.example.com/"], "Invalid issuer URL"),
        (["--preset", "auth0", "--domain", "acme.auth0.com"], "Invalid audience"),
    ],
)
def test_profile_add_refuses_bad_input_before_asking(cli: Cli, argv: list[str], says: str) -> None:
    result = cli.run(
        "profile", "add", "X", "--client-id", "x", "--secret-stdin", *argv, stdin="s\n"
    )
    expect(result, 2, says)
    assert not cli.keyring_dir.exists()
    assert not (cli.config_dir / "config.json").exists()


def test_profile_add_needs_secret_stdin_when_piped(cli: Cli, standard: TokenServer) -> None:
    argv = ["profile", "add", "X", "--token-url", standard.token_url, "--client-id", "x"]
    result = cli.run(*argv, stdin=STANDARD_CLIENT_SECRET + "\n")
    expect(result, 2, "No client secret given", "--secret-stdin")
    expect(cli.run(*argv, "--secret-stdin", stdin="\n"), 2, "must not be empty")
    assert not (cli.config_dir / "config.json").exists()


def test_profile_add_on_an_existing_name_exits_2(configured: Cli, standard: TokenServer) -> None:
    before = (configured.config_dir / "config.json").read_bytes(), configured.keyring()
    argv = ["profile", "add", "seed", "--token-url", standard.token_url, "--client-id", "x"]
    result = configured.run(*argv, "--secret-stdin", stdin=WRONG_SECRET + "\n")
    expect(result, 2, "already exists", "token-tray profile remove seed")
    assert ((configured.config_dir / "config.json").read_bytes(), configured.keyring()) == before


def test_corrupt_config_exits_2_and_is_left_alone(cli: Cli) -> None:
    cli.config_dir.mkdir()
    damaged = cli.config_dir / "config.json"
    damaged.write_text("{not json")
    expect(cli.run("token"), 2, "Settings file cannot be read", "not valid JSON")
    expect(cli.run("profile", "list"), 2, "Settings file cannot be read")
    assert damaged.read_text() == "{not json"
    assert cli.files() == {damaged}


def test_wrong_secret_exits_3(configured: Cli) -> None:
    result = token(configured, "--profile", "Wrong")
    expect(result, 3, "token-tray: Wrong client ID or secret", "profile set-secret")
    assert result.stdout == ""


def test_form_body_to_the_json_only_seed_service_exits_3(configured: Cli) -> None:
    expect(token(configured, "--profile", "SeedAsForm"), 3, "Wrong body format", "JSON")


def test_server_down_exits_4(configured: Cli) -> None:
    expect(token(configured, "--profile", "Down"), 4, "Cannot reach the token server")


def test_answer_that_is_not_json_exits_4(configured: Cli, seed: TokenServer) -> None:
    seed.script(Scripted(200, b"<html>maintenance</html>", (("Content-Type", "text/html"),)))
    expect(token(configured, "--profile", "Seed"), 4, "Unexpected answer", "web page")


def test_no_secure_storage_exits_5(configured: Cli, standard: TokenServer) -> None:
    fail = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    expect(configured.run("token", "--profile", "Standard", **fail), 5, "No secure password")
    argv = ["profile", "add", "New", "--token-url", standard.token_url, "--client-id", "x"]
    result = configured.run(*argv, "--secret-stdin", stdin=WRONG_SECRET + "\n", **fail)
    expect(result, 5)
    assert "New" not in (configured.config_dir / "config.json").read_text()


def test_locked_keyring_exits_5(configured: Cli) -> None:
    expect(configured.run("token", **{LOCKED_ENV: "1"}), 5)


def test_importing_the_cli_stays_cheap(cli: Cli) -> None:
    heavy = "('requests', 'keyring', 'PySide6')"
    code = f"import sys, tray_app.cli.main; print([m for m in {heavy} if m in sys.modules])"
    assert cli.run("-c", code).stdout == "[]\n"


def test_set_secret_replaces_a_wrong_secret(cli: Cli, standard: TokenServer) -> None:
    cli.save(standard.profile(name="Rotated"), WRONG_SECRET)
    expect(token(cli, "--profile", "Rotated"), 3)
    changed = cli.run(
        "profile", "set-secret", "Rotated", "--secret-stdin", stdin=STANDARD_CLIENT_SECRET + "\n"
    )
    expect(changed, 0, "Saved the new client secret for “Rotated”.")
    assert list(cli.keyring().values()) == [STANDARD_CLIENT_SECRET]
    result = token(cli, "--profile", "Rotated")
    expect(result, 0)
    assert result.stdout.strip() in standard.issued_tokens


def test_closed_stdout_is_not_an_error(configured: Cli, seed: TokenServer) -> None:
    code = (
        "import os, sys; from tray_app.cli.main import main; "
        "r, w = os.pipe(); os.close(r); os.dup2(w, 1); sys.exit(main(['token']))"
    )
    result = configured.run("-c", code)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr


def test_version_prints_the_version(cli: Cli) -> None:
    result = cli.run("--version")
    expect(result, 0)
    assert result.stdout == f"token-tray {__version__}\n"


def test_an_unexpected_failure_exits_1_without_a_traceback(cli: Cli) -> None:
    # Simulates a bug inside a command: the user sees a short message and exit code 1.
    code = (
        "import sys; from tray_app.cli import main, profile; "
        "profile.cmd_profile_list = lambda args: {}['missing']; "
        "sys.exit(main.main(['profile', 'list']))"
    )
    result = cli.run("-c", code)
    expect(result, 1, "token-tray: Internal error", "Please report it")
    assert result.stdout == ""
