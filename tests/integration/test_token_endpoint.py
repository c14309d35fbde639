"""TokenClient against the real loopback token server, in both modes (seed and standard)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.support.tokenserver import Scripted, TokenServer, make_jwt
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import MAX_ANSWER_BYTES, TokenClient, basic_authorization
from tray_app.core.profile import BodyFormat, ClientAuth, Profile
from tray_app.core.source import TokenSource

AWKWARD_ID = "team:reporting ü"
AWKWARD_SECRET = "p+l%u:s/ s~ä"
WRONG_SEED_SECRET = "wrong-secret-" + "4" * 30  # the length of a real one: only its value is wrong


def failure(client: TokenClient, profile: Profile, secret: str) -> AppError:
    with pytest.raises(AppError) as caught:
        client.fetch(profile, secret)
    assert secret not in str(caught.value)
    return caught.value


def api_status(server: TokenServer, header: str) -> int:
    with requests.Session() as session:
        return session.get(server.api_url, headers={"Authorization": header}, timeout=5).status_code


# -- success ------------------------------------------------------------------------------------


def test_seed_service_issues_a_token_for_a_json_request(
    seed_server: TokenServer, client: TokenClient
) -> None:
    token = client.fetch(seed_server.profile(), seed_server.client_secret)

    sent = seed_server.token_requests[0]
    assert sent.header("Content-Type") == "application/json"
    assert sent.header("Authorization") is None
    assert sent.json() == {
        "grant_type": "client_credentials",
        "client_id": seed_server.client_id,
        "client_secret": seed_server.client_secret,
    }
    assert (token.token_type, token.lifetime) == ("Bearer", 1800.0)
    assert token.access_token in seed_server.issued_tokens
    assert api_status(seed_server, f"Bearer {token.access_token}") == 200


def test_standard_server_decodes_awkward_basic_credentials(client: TokenClient) -> None:
    with TokenServer("standard", client_id=AWKWARD_ID, client_secret=AWKWARD_SECRET) as server:
        token = client.fetch(server.profile(), AWKWARD_SECRET)

        sent = server.token_requests[0]
        assert sent.basic_credentials() == (AWKWARD_ID, AWKWARD_SECRET)
        assert sent.form() == {"grant_type": ["client_credentials"]}
        assert api_status(server, f"Bearer {token.access_token}") == 200
        assert api_status(server, "Bearer not-a-token-we-issued") == 401


def test_standard_server_with_body_credentials_scope_and_extras(client: TokenClient) -> None:
    with TokenServer(
        "standard", client_id=AWKWARD_ID, client_secret=AWKWARD_SECRET, accept_basic=False
    ) as server:
        profile = server.profile(
            client_auth=ClientAuth.BODY, scope="read write", extra_params=(("tenant", "a&b"),)
        )

        token = client.fetch(profile, AWKWARD_SECRET)

        sent = server.token_requests[0]
        assert sent.header("Authorization") is None
        assert sent.form()["client_secret"] == [AWKWARD_SECRET]
        assert sent.form()["tenant"] == ["a&b"]
        assert token.scope == "read write"


def test_obtained_at_is_the_injected_clock_when_sent(seed_server: TokenServer) -> None:
    token_client = TokenClient(clock=lambda: 1_000.0)
    try:
        token = token_client.fetch(seed_server.profile(), seed_server.client_secret)
    finally:
        token_client.close()

    assert token.obtained_at == 1_000.0


def test_missing_expires_in_falls_back_to_the_jwt_exp(client: TokenClient) -> None:
    exp = time.time() + 600
    with TokenServer(
        "standard", omit_expires_in=True, token_factory=lambda: make_jwt({"exp": exp})
    ) as server:
        token = client.fetch(server.profile(), server.client_secret)

    assert token.lifetime_from_server is False
    assert 590 < token.lifetime <= 600


def test_an_injected_session_is_used_and_left_open(seed_server: TokenServer) -> None:
    with requests.Session() as session:
        token_client = TokenClient(session=session)
        token_client.fetch(seed_server.profile(), seed_server.client_secret)
        token_client.close()
        token_client.fetch(seed_server.profile(), seed_server.client_secret)

    assert seed_server.request_count == 2


def test_token_source_fetches_with_the_saved_secret(
    seed_server: TokenServer, client: TokenClient
) -> None:
    class Saved:
        def get_secret(self, profile_id: str) -> str | None:
            return seed_server.client_secret if profile_id == "p1" else None

    token = TokenSource(Saved(), client).fetch(seed_server.profile(id="p1"))

    assert token.access_token in seed_server.issued_tokens


# -- rejections ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["seed", "standard"])
def test_wrong_secret_is_invalid_client(mode: str, client: TokenClient) -> None:
    with TokenServer(mode) as server:
        error = failure(client, server.profile(), "w" * len(server.client_secret))

    assert (error.kind, error.title, error.exit_code) == (
        ErrorKind.REJECTED,
        "Wrong client ID or secret",
        3,
    )
    assert (error.oauth_error, error.http_status) == ("invalid_client", 401)


def test_standard_server_that_refuses_basic_leads_to_the_body_hint(client: TokenClient) -> None:
    with TokenServer("standard", accept_basic=False) as server:
        error = failure(client, server.profile(), server.client_secret)

    assert "set Client authentication to “In the request body”" in error.message


def test_seed_refuses_a_form_body_with_a_json_hint(
    seed_server: TokenServer, client: TokenClient
) -> None:
    profile = seed_server.profile(body_format=BodyFormat.FORM, client_auth=ClientAuth.BODY)

    error = failure(client, profile, seed_server.client_secret)

    assert (error.kind, error.title, error.http_status) == (
        ErrorKind.REJECTED,
        "Wrong body format",
        415,
    )
    assert "set Body format to “JSON”" in error.message


def test_seed_422_shows_its_message(seed_server: TokenServer, client: TokenClient) -> None:
    error = failure(client, seed_server.profile(client_id=""), seed_server.client_secret)

    assert (error.kind, error.http_status) == (ErrorKind.REJECTED, 422)
    assert "Missing field: client_id" in error.message


def test_standard_server_refusing_json_gets_a_form_hint(
    standard_server: TokenServer, client: TokenClient
) -> None:
    error = failure(
        client, standard_server.profile(body_format=BodyFormat.JSON), standard_server.client_secret
    )

    assert error.oauth_error == "invalid_request"
    assert "set Body format to “Form”" in error.message


def test_scope_refused_by_the_server(client: TokenClient) -> None:
    with TokenServer("standard", allowed_scopes=frozenset({"read"})) as server:
        error = failure(client, server.profile(scope="read admin"), server.client_secret)

    assert error.title == "Scope not accepted"


# -- unavailability -----------------------------------------------------------------------------


def test_5xx_is_retryable_with_retry_after(
    standard_server: TokenServer, client: TokenClient
) -> None:
    standard_server.script(Scripted(503, b"down", (("Retry-After", "42"),)))

    error = failure(client, standard_server.profile(), standard_server.client_secret)
    token = client.fetch(standard_server.profile(), standard_server.client_secret)

    assert (error.kind, error.retryable, error.retry_after) == (ErrorKind.UNAVAILABLE, True, 42.0)
    assert token.access_token in standard_server.issued_tokens


def test_redirects_are_not_followed(standard_server: TokenServer, client: TokenClient) -> None:
    target = standard_server.base_url + "/elsewhere"
    standard_server.script(Scripted(307, b"", (("Location", target),)))

    error = failure(client, standard_server.profile(), standard_server.client_secret)

    assert error.title == "Token URL redirects elsewhere"
    assert standard_server.requests_to("/elsewhere") == []
    assert len(standard_server.requests) == 1


def test_a_slow_server_times_out(standard_server: TokenServer, client: TokenClient) -> None:
    # A client that ignored its 1 s timeout would get this (valid) answer after 5 s and
    # succeed, so the raised error itself proves the timeout; no wall-clock assertion needed.
    standard_server.script(Scripted.json(200, {"access_token": "late"}, delay=5))

    error = failure(client, standard_server.profile(timeout=1), standard_server.client_secret)

    assert (error.kind, error.retryable, error.title) == (
        ErrorKind.UNAVAILABLE,
        True,
        "Token server did not answer",
    )
    assert "1 second." in error.message


def test_a_stalled_body_times_out(standard_server: TokenServer, client: TokenClient) -> None:
    standard_server.script(Scripted.json(200, {"access_token": "late"}, body_delay=5))

    error = failure(client, standard_server.profile(timeout=0.5), standard_server.client_secret)

    assert (error.kind, error.retryable) == (ErrorKind.UNAVAILABLE, True)
    assert error.title == "Token server too slow"  # it answered, but not all of it in time


def test_an_oversize_answer_is_refused(standard_server: TokenServer, client: TokenClient) -> None:
    standard_server.script(Scripted(200, b"{" + b" " * (MAX_ANSWER_BYTES + 4096)))

    error = failure(client, standard_server.profile(), standard_server.client_secret)

    assert error.title == "Answer too large"


def test_a_non_json_answer_is_unavailable(
    standard_server: TokenServer, client: TokenClient
) -> None:
    standard_server.script(Scripted(200, b"<html>portal</html>", (("Content-Type", "text/html"),)))

    error = failure(client, standard_server.profile(), standard_server.client_secret)

    assert "web page" in error.message


def test_plain_http_to_a_remote_host_is_refused_before_sending(client: TokenClient) -> None:
    profile = Profile(name="x", token_url="http://auth.example.com/token", client_id="c")

    error = failure(client, profile, "s3cret")

    assert (error.kind, error.title) == (ErrorKind.USAGE, "Invalid token URL")


def test_nothing_listening_is_retryable(client: TokenClient) -> None:
    server = TokenServer("standard")
    profile = server.profile()
    server.stop()

    error = failure(client, profile, server.client_secret)

    assert (error.kind, error.retryable, error.title) == (
        ErrorKind.UNAVAILABLE,
        True,
        "Cannot reach the token server",
    )


# -- hygiene ------------------------------------------------------------------------------------


def test_netrc_never_replaces_or_adds_credentials(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    standard_server: TokenServer,
    client: TokenClient,
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login intruder password leaked\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))

    client.fetch(standard_server.profile(), standard_server.client_secret)
    client.fetch(
        standard_server.profile(client_auth=ClientAuth.BODY), standard_server.client_secret
    )

    basic, body = standard_server.token_requests
    assert basic.basic_credentials() == (standard_server.client_id, standard_server.client_secret)
    assert body.header("Authorization") is None


def test_cookies_are_not_kept(standard_server: TokenServer, client: TokenClient) -> None:
    standard_server.script(
        Scripted.json(200, {"access_token": "t1"}, headers=(("Set-Cookie", "track=1; Path=/"),))
    )

    client.fetch(standard_server.profile(), standard_server.client_secret)
    client.fetch(standard_server.profile(), standard_server.client_secret)

    assert standard_server.token_requests[1].header("Cookie") is None


def test_logs_name_host_and_status_but_never_secret_or_token(
    caplog: pytest.LogCaptureFixture, seed_server: TokenServer, client: TokenClient
) -> None:
    with caplog.at_level(logging.DEBUG, logger="tray_app"):
        token = client.fetch(seed_server.profile(), seed_server.client_secret)
        failure(client, seed_server.profile(), WRONG_SEED_SECRET)

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "127.0.0.1 -> 200" in text
    assert "127.0.0.1 -> 401" in text
    for secret in (seed_server.client_secret, token.access_token, WRONG_SEED_SECRET):
        assert secret not in text


def test_server_echoing_the_secret_is_redacted(
    standard_server: TokenServer, client: TokenClient
) -> None:
    secret = "echo+me secret"
    description = f"client_secret '{secret}' or 'echo%2Bme+secret' is wrong"
    standard_server.script(
        Scripted.json(401, {"error": "invalid_client", "error_description": description})
    )

    error = failure(client, standard_server.profile(), secret)

    assert "echo" not in error.message
    assert error.message.count("•••") == 2


def test_command_line_server_prints_its_url_and_serves(client: TokenClient) -> None:
    command = [sys.executable, "-m", "tests.support.tokenserver", "--mode", "seed"]
    command += ["--client-id", "cli-id", "--client-secret", "cli-secret", "--print-url"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            profile = Profile(
                name="cli", token_url=url, client_id="cli-id", body_format=BodyFormat.JSON
            )
            token = client.fetch(profile, "cli-secret")
        finally:
            process.terminate()
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v1/oauth/token")
    assert token.lifetime == 1800.0


def test_server_echoing_the_basic_header_is_redacted(
    standard_server: TokenServer, client: TokenClient
) -> None:
    secret = "Echo+Me secret"
    profile = standard_server.profile()
    basic = basic_authorization(profile.client_id, secret).split(" ", 1)[1]
    description = f"bad header Basic {basic}; lower-case {quote(secret, safe='').lower()}"
    standard_server.script(
        Scripted.json(401, {"error": "invalid_client", "error_description": description})
    )

    error = failure(client, profile, secret)

    assert basic not in error.message
    assert "echo%2bme" not in error.message.lower()
    assert error.message.count("•••") == 2


def test_a_network_failure_keeps_no_trace_of_the_request(client: TokenClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    profile = Profile(name="Down", token_url=f"http://127.0.0.1:{port}/t", client_id="id")

    error = failure(client, profile, "top-secret")

    assert error.title == "Cannot reach the token server"
    # requests' exception carries the prepared request (and its Authorization header): it must
    # not ride along as the error's context, where a traceback or a debugger would show it.
    assert error.__context__ is None
    assert error.__cause__ is None


def test_the_seed_server_speaks_like_the_tarkov_service_on_the_wire(
    seed_server: TokenServer,
) -> None:
    credentials = {"client_id": seed_server.client_id, "client_secret": seed_server.client_secret}
    with requests.Session() as session:
        good = session.post(
            seed_server.token_url, json={**credentials, "grant_type": "client_credentials"}
        )
        form = session.post(
            seed_server.token_url, data={**credentials, "grant_type": "client_credentials"}
        )
        missing = session.post(seed_server.token_url, json={"grant_type": "client_credentials"})
        wrong = session.post(
            seed_server.token_url,
            json={
                **credentials,
                "client_secret": WRONG_SEED_SECRET,
                "grant_type": "client_credentials",
            },
        )

    assert good.status_code == 200
    assert good.json()["token_type"] == "bearer"  # lower case, as the real service sends it
    assert good.json()["expires_in"] == 1800
    assert (form.status_code, set(form.json())) == (415, {"code", "message"})
    assert (missing.status_code, set(missing.json())) == (422, {"code", "message"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})


def test_the_standard_server_answers_invalid_client_with_a_challenge(
    standard_server: TokenServer,
) -> None:
    with requests.Session() as session:
        answer = session.post(
            standard_server.token_url,
            data={"grant_type": "client_credentials"},
            auth=(standard_server.client_id, "wrong"),
        )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
