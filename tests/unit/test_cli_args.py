"""The command line without subprocesses: parsing, the secret prompt, profile building and the
mapping of every failure to a message and an exit code."""

from __future__ import annotations

import argparse
import io
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from tray_app import __version__
from tray_app.cli import common as cli_common
from tray_app.cli import main as cli
from tray_app.cli import profile as cli_profile
from tray_app.cli import team as cli_team
from tray_app.cli import token as cli_token
from tray_app.core.config import Config, ConfigStore
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import BodyFormat, ClientAuth, Profile
from tray_app.core.token import Token

URL = "https://auth.example.com/oauth/token"
SECRET = "s3cr3t+%:/ ~value"


def exit_code_of(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        cli.parse_args(argv)
    assert isinstance(info.value.code, int)
    return info.value.code


def add_args(*extra: str) -> argparse.Namespace:
    return cli.parse_args(
        ["profile", "add", "work", "--token-url", URL, "--client-id", "app", *extra]
    )


class TtyInput(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- parsing ---------------------------------------------------------------------------


def test_no_command_starts_the_tray() -> None:
    args = cli.parse_args([])
    assert args.handler is cli.cmd_tray
    assert args.demo is False
    assert cli.parse_args(["--demo"]).demo is True


def test_demo_with_a_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code_of(["--demo", "token"]) == 2
    assert "--demo only applies" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code_of(["--version"]) == 0
    assert capsys.readouterr().out == f"token-tray {__version__}\n"


def test_token_defaults() -> None:
    args = cli.parse_args(["token"])
    assert (args.handler, args.profile, args.format, args.min_valid) == (
        cli_token.cmd_token,
        None,
        "raw",
        None,  # the tray's refresh margin; a freshly fetched token is never refused
    )


@pytest.mark.parametrize("fmt", ["raw", "header", "curl", "json"])
def test_token_formats(fmt: str) -> None:
    args = cli.parse_args(["token", "--profile", "work", "--format", fmt, "--min-valid", "90"])
    assert (args.profile, args.format, args.min_valid) == ("work", fmt, 90.0)


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["token", "--format", "xml"], "invalid choice"),
        (["token", "--min-valid", "-1"], "zero or more"),
        (["token", "--min-valid", "soon"], "not a number"),
        (["token", "--min-valid", "nan"], "zero or more"),
        (["profile"], "required"),
        (["profile", "add", "work", "--client-id", "app", "--preset", "tarkov"], "invalid choice"),
        (["profile", "add", "w", "--token-url", URL, "--issuer", URL, "--client-id", "a"], "not"),
        (["profile", "add", "work", "--token-url", URL], "--client-id"),
        (["profile", "add", "w", "--token-url", URL, "--client-id", "a", "--body", "xml"], "xml"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code_of(argv) == 2
    err = capsys.readouterr().err
    assert complaint in err
    assert "Traceback" not in err


def test_a_secret_is_never_accepted_as_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["profile", "add", "w", "--token-url", URL, "--client-id", "a", "--secret", SECRET]
    assert exit_code_of(argv) == 2
    assert not any(a.dest in {"secret", "client_secret"} for a in add_parser_actions())
    capsys.readouterr()


def add_parser_actions() -> list[argparse.Action]:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    profile = commands.choices["profile"]
    actions = next(a for a in profile._actions if isinstance(a, argparse._SubParsersAction))
    return list(actions.choices["add"]._actions)


def test_profile_add_takes_every_dialog_field() -> None:
    args = add_args(
        "--secret-stdin", "--scope", "read write", "--audience", "api", "--resource", "urn:r",
        "--param", "tenant=acme", "--param", "x=1=2", "--body", "form", "--client-auth", "body",
        "--default", "--api-url", "https://api.example.com/", "--timeout", "20",
        "--refresh-margin", "60",
    )  # fmt: skip
    assert args.handler is cli_profile.cmd_profile_add
    assert (args.name, args.token_url, args.client_id, args.secret_stdin) == (
        "work",
        URL,
        "app",
        True,
    )
    assert args.param == ["tenant=acme", "x=1=2"]
    assert (args.timeout, args.refresh_margin, args.default) == (20.0, 60, True)


@pytest.mark.parametrize(
    ("argv", "handler"),
    [
        (["profile", "list"], "cmd_profile_list"),
        (["profile", "list", "--json"], "cmd_profile_list"),
        (["profile", "remove", "work"], "cmd_profile_remove"),
    ],
)
def test_profile_actions(argv: list[str], handler: str) -> None:
    assert cli.parse_args(argv).handler is getattr(cli_profile, handler)


def test_team_actions() -> None:
    assert cli.parse_args(["profile", "export", "w"]).handler is cli_team.cmd_profile_export
    args = cli.parse_args(["profile", "import", "p.json", "--name", "Mine", "--secret-stdin"])
    assert args.handler is cli_team.cmd_profile_import
    assert (args.file, args.name, args.secret_stdin) == ("p.json", "Mine", True)


# --- building the profile --------------------------------------------------------------


def test_form_profile_defaults_to_basic_auth() -> None:
    profile = cli_profile.profile_from_args(add_args("--param", "tenant=acme", "--scope", " read "))
    assert (profile.body_format, profile.client_auth) == (BodyFormat.FORM, ClientAuth.BASIC)
    assert profile.extra_params == (("tenant", "acme"),)
    assert profile.scope == "read"


def test_json_profile_carries_credentials_in_the_body() -> None:
    profile = cli_profile.profile_from_args(add_args("--body", "json"))
    assert (profile.body_format, profile.effective_client_auth) == (
        BodyFormat.JSON,
        ClientAuth.BODY,
    )


@pytest.mark.parametrize(
    ("argv", "title"),
    [
        (["--param", "novalue"], "Invalid extra parameter"),
        (["--param", "client_secret=x"], "Invalid extra parameters"),
        (["--api-url", "http://api.example.com/"], "Invalid API URL"),
        (["--timeout", "0"], "Invalid timeout"),
        (["--ca-bundle", "/nonexistent/ca.pem"], "CA bundle not found"),
        (["--preset", "auth0"], "Invalid audience"),
        (["--preset", "entra-id", "--scope", "api://x"], "Invalid scope"),
        (["--preset", "tarkov-database"], "Invalid Client ID"),
    ],
)
def test_invalid_profiles_are_usage_errors(argv: list[str], title: str) -> None:
    with pytest.raises(AppError) as info:
        cli_profile.profile_from_args(add_args(*argv))
    assert (info.value.kind, info.value.title) == (ErrorKind.USAGE, title)


def test_plain_http_is_refused_for_remote_hosts() -> None:
    args = cli.parse_args(
        ["profile", "add", "w", "--token-url", "http://auth.example.com/t", "--client-id", "a"]
    )
    with pytest.raises(AppError) as info:
        cli_profile.profile_from_args(args)
    assert info.value.exit_code == 2
    assert "https://" in info.value.message


def test_issuer_over_plain_http_to_a_remote_host_is_refused_before_any_request() -> None:
    issuer = "http://auth.example.com/realms/acme"
    args = cli.parse_args(["profile", "add", "w", "--issuer", issuer, "--client-id", "a"])
    with pytest.raises(AppError) as info:
        cli_profile.profile_from_args(args)
    assert (info.value.kind, info.value.title) == (ErrorKind.USAGE, "Invalid issuer URL")
    assert "https://" in info.value.message


def test_without_any_way_to_the_token_url_the_user_is_told_the_three() -> None:
    args = cli.parse_args(["profile", "add", "w", "--client-id", "a"])
    with pytest.raises(AppError) as info:
        cli_profile.profile_from_args(args)
    assert info.value.title == "Token URL missing"
    assert all(flag in info.value.message for flag in ("--token-url", "--issuer", "--preset"))


def test_tarkov_preset_fills_everything_but_the_client_id() -> None:
    client_id = "0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90"
    argv = ["profile", "add", "t", "--preset", "tarkov-database", "--client-id", client_id]
    profile = cli_profile.profile_from_args(cli.parse_args(argv))
    assert profile.token_url == "https://identity.tarkov-database.com/v1/oauth/token"
    assert (profile.body_format, profile.effective_client_auth) == (
        BodyFormat.JSON,
        ClientAuth.BODY,
    )
    assert profile.preset == "tarkov-database"


@pytest.mark.parametrize(
    ("argv", "url", "auth"),
    [
        (
            ["--preset", "auth0", "--domain", "acme.eu.auth0.com", "--audience", "https://api"],
            "https://acme.eu.auth0.com/oauth/token",
            ClientAuth.BODY,
        ),
        (
            [
                "--preset",
                "entra-id",
                "--tenant",
                "contoso.onmicrosoft.com",
                "--scope",
                "api://x/.default",
            ],
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            ClientAuth.BODY,
        ),
        (
            ["--preset", "cognito", "--domain", "acme.auth.eu-west-1.amazoncognito.com"],
            "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
            ClientAuth.BASIC,
        ),
        (
            [
                "--preset",
                "auth0",
                "--domain",
                "a.auth0.com",
                "--audience",
                "x",
                "--client-auth",
                "basic",
            ],
            "https://a.auth0.com/oauth/token",
            ClientAuth.BASIC,
        ),
    ],
)
def test_presets_build_the_token_url(argv: list[str], url: str, auth: ClientAuth) -> None:
    profile = cli_profile.profile_from_args(
        cli.parse_args(["profile", "add", "p", "--client-id", "app", *argv])
    )
    assert (profile.token_url, profile.client_auth, profile.body_format) == (
        url,
        auth,
        BodyFormat.FORM,
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["--preset", "auth0", "--domain", "https://acme.auth0.com/", "--audience", "a"],
            "--domain",
        ),
        (["--preset", "keycloak", "--server", "https://sso.example.com"], "--server and --realm"),
        (["--preset", "okta"], "--issuer"),
    ],
)
def test_presets_say_which_option_is_missing_or_wrong(argv: list[str], says: str) -> None:
    args = cli.parse_args(["profile", "add", "p", "--client-id", "app", *argv])
    with pytest.raises(AppError) as info:
        cli_profile.profile_from_args(args)
    assert says in info.value.title + info.value.message


def test_ca_bundle_is_stored_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.chdir(tmp_path)
    profile = cli_profile.profile_from_args(add_args("--ca-bundle", "ca.pem"))
    assert profile.ca_bundle == str(tmp_path.resolve() / "ca.pem")


# --- the secret --------------------------------------------------------------------------


@pytest.mark.parametrize("line", [f"{SECRET}\n", f"{SECRET}\r\n", SECRET, f"{SECRET}\nnext\n"])
def test_secret_from_piped_stdin(line: str) -> None:
    assert cli_common.read_secret(True, "?", stdin=io.StringIO(line)) == SECRET


@pytest.mark.parametrize(("use_stdin", "text"), [(False, f"{SECRET}\n"), (True, "\n"), (True, "")])
def test_missing_secret_is_a_usage_error(use_stdin: bool, text: str) -> None:
    with pytest.raises(AppError) as info:
        cli_common.read_secret(use_stdin, "?", stdin=io.StringIO(text))
    assert info.value.exit_code == 2
    assert SECRET not in str(info.value)


def test_piped_stdin_without_the_flag_says_to_use_it() -> None:
    with pytest.raises(AppError) as info:
        cli_common.read_secret(False, "?", stdin=io.StringIO(SECRET))
    assert "--secret-stdin" in info.value.message


def test_no_stdin_at_all_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(AppError):
        cli_common.read_secret(True, "?")


@pytest.mark.parametrize("use_stdin", [False, True])
def test_a_terminal_gets_a_hidden_prompt(use_stdin: bool) -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return SECRET

    secret = cli_common.read_secret(
        use_stdin, "Client secret: ", stdin=TtyInput("echoed\n"), ask=ask
    )
    assert (secret, prompts) == (SECRET, ["Client secret: "])


# --- choosing the profile and the token source -------------------------------------------


def save_profiles(*names: str) -> list[Profile]:
    profiles = [Profile(name=n, token_url=URL, client_id=f"id-{n}") for n in names]
    ConfigStore().save(Config(profiles=profiles))
    return profiles


def token_args(profile: str | None = None, min_valid: float = 0.0) -> argparse.Namespace:
    return argparse.Namespace(profile=profile, min_valid=min_valid, new=False)


def test_obtain_token_asks_sources_in_order() -> None:
    _, beta = save_profiles("alpha", "beta")
    token = Token("abc", "Bearer", 60.0, 1000.0)
    asked: list[tuple[str, float | None]] = []

    def source(answer: Token | None) -> cli_token.TokenFinder:
        def find(profile: Profile, min_valid: float | None) -> Token | None:
            asked.append((profile.name, min_valid))
            return answer

        return find

    later = source(token)
    found = cli_token.obtain_token(token_args("beta", 30.0), [source(None), source(token), later])
    assert found == (beta, token)
    assert asked == [("beta", 30.0), ("beta", 30.0)]


def test_obtain_token_uses_the_default_profile() -> None:
    alpha, _ = save_profiles("alpha", "beta")
    token = Token("abc", "Bearer", 60.0, 1000.0)
    assert cli_token.obtain_token(token_args(), [lambda p, m: token]) == (alpha, token)


def test_no_source_answering_is_unavailable() -> None:
    save_profiles("alpha")
    with pytest.raises(AppError) as info:
        cli_token.obtain_token(token_args(), [])
    assert info.value.exit_code == 4


def test_no_profile_yet_says_how_to_add_one() -> None:
    with pytest.raises(AppError) as info:
        cli_token.obtain_token(token_args(), [])
    assert info.value.exit_code == 2
    assert "token-tray profile add" in info.value.message
    assert "Settings" in info.value.message


def test_unknown_profile_lists_the_known_names() -> None:
    save_profiles("alpha", "beta")
    with pytest.raises(AppError) as info:
        cli_token.obtain_token(token_args("gamma"), [])
    assert info.value.title == "Unknown profile"
    assert "alpha, beta" in info.value.message


# --- failures to exit codes ----------------------------------------------------------------


def raising(error: BaseException) -> Callable[[], int]:
    def action() -> int:
        raise error

    return action


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (ErrorKind.INTERNAL, 1),
        (ErrorKind.USAGE, 2),
        (ErrorKind.CONFIG, 2),
        (ErrorKind.REJECTED, 3),
        (ErrorKind.UNAVAILABLE, 4),
        (ErrorKind.STORAGE, 5),
    ],
)
def test_app_errors_print_title_and_message(
    kind: ErrorKind, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    error = AppError(kind, "Wrong client ID or secret", "Check them again.")
    assert cli.run_guarded(raising(error)) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "token-tray: Wrong client ID or secret\nCheck them again.\n"


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (
            "The server did not accept the client ID or secret. Check both in Settings (paste).",
            "Check both (`token-tray profile edit work --client-id ID` and "
            "`token-tray profile set-secret work`) (paste).",
        ),
        (
            "Host refused the connection. Check the Token URL (and its port) in Settings, or "
            "try again later.",
            "Check the Token URL (and its port) (`token-tray profile edit work --token-url URL`), "
            "or try again later.",
        ),
        (
            "Try again, or raise the timeout under Advanced in Settings.",
            "raise the timeout (`token-tray profile edit work --timeout SECONDS`).",
        ),
        (
            "Check Scope, Audience and the extra parameters in Settings against what you got.",
            "(`token-tray profile edit work --scope S --audience A --param KEY=VALUE`)",
        ),
    ],
)
def test_advice_about_settings_names_profile_edit_and_the_flag(
    message: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    error = AppError(ErrorKind.REJECTED, "Refused", message)
    assert cli.run_guarded(raising(error), "work") == 3
    err = capsys.readouterr().err
    assert said in err
    assert "Settings" not in err
    assert err.count("\n") == 2  # title and message: no footer


def test_hints_without_settings_get_no_footer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(AppError) as info:
        cli_token.obtain_token(token_args(), [])
    assert cli.run_guarded(raising(info.value)) == 2
    err = capsys.readouterr().err
    assert err == f"token-tray: No profile yet\n{info.value.message}\n"


def test_unexpected_errors_are_internal_without_details(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.run_guarded(raising(RuntimeError(f"boom {SECRET}"))) == 1
    err = capsys.readouterr().err
    assert err.startswith("token-tray: Internal error\n")
    assert "RuntimeError" in err
    assert SECRET not in err
    assert "Traceback" not in err


def test_ctrl_c_exits_130_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run_guarded(raising(KeyboardInterrupt())) == 130
    assert capsys.readouterr() == ("", "")


def test_main_maps_a_failing_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_token, "cmd_token", lambda args: 1 // 0)
    assert cli.main(["token"]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def fake_tray(monkeypatch: pytest.MonkeyPatch, calls: list[bool]) -> None:
    def run_tray(demo: bool) -> int:
        calls.append(demo)
        return 7

    module = types.ModuleType("tray_app.gui.startup")
    module.__dict__["run_tray"] = run_tray
    monkeypatch.setitem(sys.modules, "tray_app.gui.startup", module)


@pytest.mark.parametrize(("argv", "demo"), [([], False), (["--demo"], True)])
def test_main_starts_the_tray(argv: list[str], demo: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    fake_tray(monkeypatch, calls)
    assert cli.main(argv) == 7
    assert calls == [demo]
