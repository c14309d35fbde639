"""TokenSource: the saved secret plus one token request (client injected, no network)."""

from __future__ import annotations

import pytest

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import Profile
from tray_app.core.source import TokenSource
from tray_app.core.token import Token

PROFILE = Profile(name="Tarkov API", token_url="https://a.example/token", client_id="c", id="p1")


class DictSecrets:
    def __init__(self, secrets: dict[str, str | None]) -> None:
        self.secrets = secrets
        self.reads: list[str] = []

    def get_secret(self, profile_id: str) -> str | None:
        self.reads.append(profile_id)
        return self.secrets.get(profile_id)


class RecordingClient:
    def __init__(self) -> None:
        self.calls: list[tuple[Profile, str]] = []

    def fetch(self, profile: Profile, secret: str) -> Token:
        self.calls.append((profile, secret))
        return Token("tok", "Bearer", lifetime=60.0, obtained_at=1.0)


def test_fetch_reads_the_secret_by_profile_id_and_asks_the_client() -> None:
    secrets, client = DictSecrets({"p1": "s3cret"}), RecordingClient()

    token = TokenSource(secrets, client).fetch(PROFILE)

    assert token.access_token == "tok"
    assert secrets.reads == ["p1"]
    assert client.calls == [(PROFILE, "s3cret")]


def test_the_secret_is_read_again_on_every_fetch() -> None:
    secrets, client = DictSecrets({"p1": "old"}), RecordingClient()
    source = TokenSource(secrets, client)

    source.fetch(PROFILE)
    secrets.secrets["p1"] = "new"
    source.fetch(PROFILE)

    assert [secret for _, secret in client.calls] == ["old", "new"]


@pytest.mark.parametrize("saved", [None, ""])
def test_no_saved_secret_is_a_usage_error_that_says_what_to_do(saved: str | None) -> None:
    client = RecordingClient()

    with pytest.raises(AppError) as caught:
        TokenSource(DictSecrets({"p1": saved}), client).fetch(PROFILE)

    error = caught.value
    assert (error.kind, error.title, error.exit_code) == (
        ErrorKind.USAGE,
        "No client secret saved",
        2,
    )
    assert "“Tarkov API”" in error.message
    assert "Open Settings" in error.message
    assert "token-tray profile set-secret" in error.message
    assert client.calls == []


def test_client_errors_pass_through_unchanged() -> None:
    class FailingClient:
        def fetch(self, profile: Profile, secret: str) -> Token:
            raise AppError(ErrorKind.REJECTED, "Wrong client ID or secret", "Check them.")

    with pytest.raises(AppError) as caught:
        TokenSource(DictSecrets({"p1": "s"}), FailingClient()).fetch(PROFILE)

    assert caught.value.title == "Wrong client ID or secret"


def test_default_client_is_a_token_client_closed_by_close() -> None:
    source = TokenSource(DictSecrets({}))
    closed: list[TokenClient] = []
    client = source._client
    assert isinstance(client, TokenClient)
    original = client.close

    def close(*, final: bool = False) -> None:
        closed.append(client)
        original(final=final)

    client.close = close  # type: ignore[method-assign]
    source.close()

    assert closed == [client]
