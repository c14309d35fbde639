"""Where a fresh token comes from: the profile's secret (keyring) plus one token request.

Design decisions:

* :class:`TokenSource` depends on two small protocols, not on keyring or requests: anything
  with ``get_secret(profile_id)`` (the keyring wrapper, an in-memory test store) and anything
  with ``fetch(profile, secret)`` (:class:`~tray_app.core.oauth.TokenClient` by default).
* The secret is read on every fetch and never kept: a secret changed in Settings is used by the
  very next refresh, and no copy outlives the request.
* An empty secret counts as missing: no client-credentials server accepts one, and saying
  "no secret saved" is more useful than the server's "invalid_client". A profile whose private
  key is a file is the exception: its password-storage entry is the key's password, if any.
* Blocking (keyring over D-Bus, HTTP): callers run :meth:`TokenSource.fetch` off the GUI thread.
"""

from __future__ import annotations

import shlex
from typing import Protocol

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import TokenClient
from tray_app.core.profile import Profile
from tray_app.core.token import Token


class SecretReader(Protocol):
    """Reads a profile's client secret (``None`` when none is saved)."""

    def get_secret(self, profile_id: str) -> str | None: ...


class TokenFetcher(Protocol):
    """Performs one token request."""

    def fetch(self, profile: Profile, secret: str) -> Token: ...


def missing_secret_error(profile: Profile) -> AppError:
    """The error for a profile whose secret (or pasted key) is not in the keyring."""
    if profile.client_auth.uses_key:
        return AppError(
            ErrorKind.USAGE,
            "No private key saved",
            f"Token Tray has no private key for “{profile.name}”. Open Settings, select the "
            "profile and choose the key file or paste the key. On the command line, run "
            f"“token-tray profile edit {shlex.quote(profile.name)} --key FILE”.",
        )
    return AppError(
        ErrorKind.USAGE,
        "No client secret saved",
        f"Token Tray has no client secret for “{profile.name}”. Open Settings, select the "
        "profile and enter the secret. On the command line, run "
        f"“token-tray profile set-secret {shlex.quote(profile.name)}”.",
    )


def needs_no_secret(profile: Profile) -> bool:
    """A profile whose key is a file: password storage holds at most that file's password."""
    return profile.client_auth.uses_key and bool(profile.key_file.strip())


class TokenSource:
    """Fetches a token for a profile using its saved secret."""

    def __init__(self, credentials: SecretReader, client: TokenFetcher | None = None) -> None:
        self._credentials = credentials
        self._own_client: TokenClient | None = None
        if client is None:
            client = self._own_client = TokenClient()
        self._client: TokenFetcher = client

    def fetch(self, profile: Profile) -> Token:
        """A fresh token for ``profile``; raises :class:`AppError` on every failure."""
        secret = self._credentials.get_secret(profile.id)
        if not secret and not needs_no_secret(profile):
            raise missing_secret_error(profile)
        return self._client.fetch(profile, secret or "")

    def close(self) -> None:
        """Close the HTTP client this source created (an injected one is the caller's)."""
        if self._own_client is not None:
            self._own_client.close()
