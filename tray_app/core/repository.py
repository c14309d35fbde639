"""Profiles as the user sees them: the config entry and its secret, saved together.

:class:`ProfileRepository` is the one place that changes profiles, for the settings dialog and
the command line alike. Design decisions:

* **Read-modify-write under a lock.** Every change takes the settings lock
  (:meth:`ConfigStore.locked`, shared by every process), loads config.json fresh, applies itself
  and saves, so the command line and a running tray never undo each other's changes — not even
  two saves in the same instant. The tray then picks the other's change up through its file
  watcher.
* **The secret is written only when it changed** (a Save that leaves the secret field as it was
  costs no keyring write and no unlock prompt), and a secret longer than the smallest limit of
  the supported password stores (:func:`~tray_app.core.credentials.check_secret`) is refused
  before anything is written.
* **Keyring first, then config** when saving. A keyring that fails (locked, missing) leaves the
  config untouched, so nothing is lost. If the config write fails after the secret was written,
  the previous secret is put back (best effort; a failure to do so is logged without the secret).
* **Config first, then keyring** when removing. The profile disappears even when the keyring is
  locked; the keyring failure is then raised as a STORAGE error whose message says the profile
  *was* removed and which keyring entry is left over, so the user can delete it by hand.
* ``secret=None`` (or ``""``) on save means "keep the stored secret"; a *new* profile must come
  with one unless the keyring already holds one under its id.
* The first profile saved becomes the default; ``make_default`` makes any profile the default.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from tray_app.core.atomic import write_atomically
from tray_app.core.config import AppSettings, Config, ConfigStore, LoadResult
from tray_app.core.credentials import CredentialStore, check_secret, secret_fits
from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.profile import Profile, check_profile
from tray_app.core.source import needs_no_secret
from tray_app.identity import KEYRING_SERVICE

_log = logging.getLogger(__name__)


def _not_found(profile_id: str) -> AppError:
    return usage_error(
        "Profile not found",
        f"There is no profile with the id {profile_id}; it may have been removed meanwhile.",
    )


class ProfileRepository:
    """Loads and changes profiles and their secrets (see the module docstring)."""

    def __init__(self, config_store: ConfigStore, credentials: CredentialStore) -> None:
        self.config_store = config_store
        self.credentials = credentials

    def load(self) -> Config:
        """The current config from disk; a damaged file raises a CONFIG :class:`AppError`."""
        return self.config_store.load()

    def load_or_recover(self) -> LoadResult:
        """The current config; a damaged file is moved aside and reported (tray start-up)."""
        return self.config_store.load_or_recover()

    def save_profile(
        self, profile: Profile, secret: str | None, *, make_default: bool = False
    ) -> Config:
        """Validate, store the secret (if given), then add or update the profile in config."""
        check_profile(profile)
        profile, secret = self._keep_long_key(profile, secret)
        if secret:
            check_secret(secret)
        with self.config_store.locked():
            config = self.config_store.load()
            is_new = all(p.id != profile.id for p in config.profiles)
            config.upsert(profile)
            alone = len(config.profiles) == 1 and not config.settings.default_profile_id
            if make_default or alone:
                config.settings.default_profile_id = profile.id
            if not secret:
                self._require_stored_secret(profile, is_new)
                self.config_store.save(config)
            else:
                self._save_with_secret(config, profile.id, secret)
        return config

    @property
    def key_folder(self) -> Path:
        """Where pasted keys too long for password storage are kept (0700, files 0600)."""
        return self.config_store.path.parent / "keys"

    def _keep_long_key(self, profile: Profile, secret: str | None) -> tuple[Profile, str | None]:
        """A pasted private key that password storage cannot hold on every platform (an RSA
        key is about 1,700 characters; Windows takes 1,280) becomes a file of its own, readable
        by the user only, next to config.json; the profile then refers to it like a key file."""
        pasted = profile.client_auth.uses_key and not profile.key_file
        if not pasted or not secret or secret_fits(secret):
            return profile, secret
        self.key_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.key_folder / f"{profile.id}.pem"
        write_atomically(path, secret.encode("utf-8"))
        _log.info("Kept the pasted key of profile %s as a private file", profile.id)
        return profile.replace(key_file=str(path)), None

    def remove_profile(self, profile_id: str) -> Config:
        """Remove the profile from config, then its secret from the keyring."""
        with self.config_store.locked():
            config = self.config_store.load()
            removed = config.remove(profile_id)
            if removed is None:
                raise _not_found(profile_id)
            self.config_store.save(config)
        (self.key_folder / f"{profile_id}.pem").unlink(missing_ok=True)
        try:
            self.credentials.delete_secret(profile_id)
        except AppError as exc:
            raise AppError(
                ErrorKind.STORAGE,
                "Profile removed, but not its secret",
                f"“{removed.name}” was removed from Token Tray, but its client secret could not "
                f"be deleted from your password storage: {exc.message} The leftover entry is "
                f"“{KEYRING_SERVICE}” / “{profile_id}”; you can delete it in your password storage "
                "(e.g. Passwords and Keys).",
            ) from None
        return config

    def set_default(self, profile_id: str) -> Config:
        """Make ``profile_id`` the default profile."""
        with self.config_store.locked():
            config = self.config_store.load()
            if all(p.id != profile_id for p in config.profiles):
                raise _not_found(profile_id)
            config.settings.default_profile_id = profile_id
            self.config_store.save(config)
        return config

    def save_settings(self, settings: AppSettings) -> Config:
        """Store application settings; a default pointing at no profile keeps the stored one."""
        with self.config_store.locked():
            config = self.config_store.load()
            wanted = settings.default_profile_id
            if all(p.id != wanted for p in config.profiles):
                wanted = config.settings.default_profile_id
            config.settings = dataclasses.replace(settings, default_profile_id=wanted)
            self.config_store.save(config)
        return config

    def has_secret(self, profile_id: str) -> bool:
        """Whether the keyring holds a secret for ``profile_id`` (STORAGE error if unusable)."""
        return self.credentials.get_secret(profile_id) is not None

    def _require_stored_secret(self, profile: Profile, is_new: bool) -> None:
        if needs_no_secret(profile):
            return  # its key is a file; password storage holds its password, if it has one
        if is_new and not self.has_secret(profile.id):
            raise usage_error(
                "Enter the client secret",
                f"“{profile.name.strip()}” is a new profile: paste the client secret you were "
                "given together with the client ID.",
            )

    def _save_with_secret(self, config: Config, profile_id: str, secret: str) -> None:
        previous = self.credentials.get_secret(profile_id)
        if previous == secret:  # unchanged: no keyring write, no unlock prompt
            self.config_store.save(config)
            return
        self.credentials.set_secret(profile_id, secret)
        try:
            self.config_store.save(config)
        except AppError:
            self._restore_secret(profile_id, previous)
            raise

    def _restore_secret(self, profile_id: str, previous: str | None) -> None:
        try:
            if previous is None:
                self.credentials.delete_secret(profile_id)
            else:
                self.credentials.set_secret(profile_id, previous)
        except AppError as exc:
            _log.warning(
                "Could not restore the previous secret of profile %s: %s", profile_id, exc.title
            )
