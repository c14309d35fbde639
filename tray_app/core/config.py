"""config.json: profiles and application settings, never a secret or a token.

Location: ``$TOKEN_TRAY_CONFIG_DIR`` when set, else the platform's settings folder
(:func:`tray_app.core.folders.user_folder`: platformdirs, but ``~/Library`` on macOS).
The file looks like ``{"schema_version": 1, "settings": {...}, "profiles": [...]}``.

Design decisions:

* **Atomic, private writes.** :meth:`ConfigStore.save` writes a temp file in the same folder,
  mode 0600 from creation (``O_CREAT | O_EXCL``: never world-readable, not even briefly), fsyncs
  it, ``os.replace``\\ s it over config.json and fsyncs the folder
  (:mod:`tray_app.core.atomic`). A folder we create gets 0700, and the platform folder (which
  is Token Tray's alone) is brought back to 0700 on every save; a folder named by
  ``$TOKEN_TRAY_CONFIG_DIR`` or passed in is left as the user made it (it may be a portable or
  shared location). On failure the old file is intact and the temp file removed; a temp file
  orphaned by a killed writer is deleted by the next save.
* **One writer at a time.** :meth:`ConfigStore.locked` holds an inter-process file lock; every
  save takes it, and :class:`~tray_app.core.repository.ProfileRepository` holds it around each
  load-modify-save, so the tray and the command line never undo each other's changes.
* **Never overwrite what we cannot read.** :meth:`ConfigStore.load` raises a CONFIG error for a
  damaged file (the CLI exits 2 and names it). :meth:`ConfigStore.load_or_recover` (the tray, at
  start) moves it aside to ``config.json.corrupt-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3``… rather than
  replacing an earlier copy) and returns empty settings plus a notice naming the kept file.
  :meth:`ConfigStore.save` refuses to replace a damaged or newer file, whoever calls it.
* **Newer files stay in place.** A file from a newer Token Tray is not damaged; moving it aside
  would lose the newer version's settings. ``load_or_recover`` leaves it, returns empty settings
  with a notice, and every save is refused until the user updates.
* **Structure, not policy, is checked on load** (field types, non-empty and unique ids). URL and
  name rules (:func:`~tray_app.core.profile.check_profile`) run on save and before requests, so
  a rule tightened later never condemns a user's whole file.
* **Settings are lenient:** an invalid value falls back to that field's default. Unknown keys are
  ignored (and dropped on the next save).
* A file unreadable for other reasons (permissions) raises and is never moved: its content may
  be fine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tray_app.core import json_text
from tray_app.core.atomic import (
    LOCK_TIMEOUT,
    holding,
    interprocess_lock,
    remove_orphans,
    rename_no_replace,
    write_atomically,
)
from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.folders import user_folder
from tray_app.core.profile import Profile

SCHEMA_VERSION = 1
CONFIG_DIR_ENV = "TOKEN_TRAY_CONFIG_DIR"
CONFIG_NAME = "config.json"
MAX_CLIPBOARD_CLEAR_SECONDS = 86_400
_READ_TITLE = "Settings file cannot be read"
_SAVE_TITLE = "Settings could not be saved"
_FIX_ADVICE = (
    " Start the Token Tray app once: it keeps a copy of this file and starts with empty "
    "settings. Or move the file away yourself."
)
_KEPT_NEWER = " Token Tray started with empty settings and will not change that file."


class LeftClick(enum.StrEnum):
    """What a left click on the tray icon does."""

    COPY_TOKEN = "copy_token"  # noqa: S105 - an action name, not a secret
    COPY_HEADER = "copy_header"
    OPEN_MENU = "open_menu"


@dataclasses.dataclass
class AppSettings:
    """Application-wide preferences (not per profile)."""

    default_profile_id: str | None = None
    clipboard_clear_seconds: int = 60
    """Seconds after which a copied token is cleared from the clipboard; 0 means never."""
    notifications: bool = True
    left_click: LeftClick = LeftClick.COPY_TOKEN

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored under ``settings``."""
        data = dataclasses.asdict(self)
        data["left_click"] = self.left_click.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AppSettings:
        """Read stored settings; each unknown or invalid value falls back to its default."""
        default = cls()
        profile_id = data.get("default_profile_id")
        notifications = data.get("notifications")
        return cls(
            default_profile_id=profile_id if isinstance(profile_id, str) and profile_id else None,
            clipboard_clear_seconds=_clear_seconds(
                data.get("clipboard_clear_seconds"), default.clipboard_clear_seconds
            ),
            notifications=notifications
            if isinstance(notifications, bool)
            else default.notifications,
            left_click=_left_click(data.get("left_click"), default.left_click),
        )


def _clear_seconds(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value if 0 <= value <= MAX_CLIPBOARD_CLEAR_SECONDS else default


def _left_click(value: object, default: LeftClick) -> LeftClick:
    try:
        return LeftClick(value) if isinstance(value, str) else default
    except ValueError:
        return default


def _name_key(name: str) -> str:
    return name.strip().casefold()


@dataclasses.dataclass
class Config:
    """Everything in config.json: the profiles (in display order) and the settings."""

    profiles: list[Profile] = dataclasses.field(default_factory=list)
    settings: AppSettings = dataclasses.field(default_factory=AppSettings)

    def default_profile(self) -> Profile | None:
        """The default profile, falling back to the first one."""
        wanted = self.settings.default_profile_id
        chosen = next((p for p in self.profiles if p.id == wanted), None)
        return chosen or (self.profiles[0] if self.profiles else None)

    def find(self, name_or_id: str) -> Profile | None:
        """A profile by exact id, else by name (case-insensitive)."""
        by_id = next((p for p in self.profiles if p.id == name_or_id), None)
        if by_id is not None:
            return by_id
        key = _name_key(name_or_id)
        return next((p for p in self.profiles if _name_key(p.name) == key), None)

    def upsert(self, profile: Profile) -> None:
        """Add ``profile`` or replace the one with the same id; names must stay unique."""
        key = _name_key(profile.name)
        if any(_name_key(p.name) == key and p.id != profile.id for p in self.profiles):
            raise usage_error(
                f"A profile named “{profile.name.strip()}” already exists",
                "Choose another name for this profile.",
            )
        for index, existing in enumerate(self.profiles):
            if existing.id == profile.id:
                self.profiles[index] = profile
                return
        self.profiles.append(profile)

    def remove(self, profile_id: str) -> Profile | None:
        """Remove by id; returns what was removed. Fixes the default if it pointed there."""
        removed = next((p for p in self.profiles if p.id == profile_id), None)
        if removed is None:
            return None
        self.profiles.remove(removed)
        if self.settings.default_profile_id == profile_id:
            self.settings.default_profile_id = self.profiles[0].id if self.profiles else None
        return removed

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of the whole file."""
        return {
            "schema_version": SCHEMA_VERSION,
            "settings": self.settings.to_dict(),
            "profiles": [p.to_dict() for p in self.profiles],
        }


@dataclasses.dataclass(frozen=True)
class LoadResult:
    """What :meth:`ConfigStore.load_or_recover` found."""

    config: Config
    notice: AppError | None = None
    """Set when the file was unreadable (moved aside) or newer (left alone): tell the user."""


class _DamagedFileError(Exception):
    """The file exists but its content is not a config we can use (internal)."""

    def __init__(self, reason: str, *, newer: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.newer = newer


def config_dir() -> Path:
    """The folder holding config.json (``$TOKEN_TRAY_CONFIG_DIR`` wins when set)."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(user_folder("config"))


def _parse(text: str) -> Config:
    """Turn file content into a :class:`Config`, or raise :class:`_DamagedFileError`."""
    try:
        data = json_text.loads(text)
    except json.JSONDecodeError as exc:
        raise _DamagedFileError(
            f"it is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise _DamagedFileError("it does not look like a Token Tray settings file")
    _check_version(data.get("schema_version"))
    settings, profiles = data.get("settings", {}), data.get("profiles", [])
    if not isinstance(settings, dict) or not isinstance(profiles, list):
        raise _DamagedFileError("it does not look like a Token Tray settings file")
    return Config(profiles=_parse_profiles(profiles), settings=AppSettings.from_dict(settings))


def _check_version(version: object) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _DamagedFileError(
            "it has no valid schema_version, so it is not a Token Tray settings file"
        )
    if version > SCHEMA_VERSION:
        raise _DamagedFileError(
            f"it was made by a newer version of Token Tray (settings version {version}); "
            "update Token Tray to use it",
            newer=True,
        )


def _parse_profiles(items: list[Any]) -> list[Profile]:
    profiles: list[Profile] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _DamagedFileError(f"profile {number} is not a set of fields")
        try:
            profile = Profile.from_dict(item)
        except AppError as exc:
            raise _DamagedFileError(f"profile {number}: {exc.message}") from None
        if not profile.id.strip():
            raise _DamagedFileError(f"profile {number} has an empty id")
        if any(p.id == profile.id for p in profiles):
            raise _DamagedFileError(f"two profiles share the id {profile.id}")
        profiles.append(profile)
    return profiles


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


class ConfigStore:
    """Reads and writes config.json in one folder (see the module docstring for the rules)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self._directory = Path(directory) if directory is not None else config_dir()
        self._own_folder = directory is None and not os.environ.get(CONFIG_DIR_ENV, "").strip()
        self._clock = clock
        self._lock = interprocess_lock(self.path, lock_timeout)

    @property
    def directory(self) -> Path:
        return self._directory

    @property
    def path(self) -> Path:
        return self._directory / CONFIG_NAME

    def load(self) -> Config:
        """Read the config (empty when missing); raise a CONFIG :class:`AppError` if unreadable."""
        try:
            return self._read()
        except _DamagedFileError as exc:
            raise self._read_error(exc.reason, "" if exc.newer else _FIX_ADVICE) from None

    def load_or_recover(self) -> LoadResult:
        """Read the config; an unreadable file is moved aside and reported, not overwritten."""
        try:
            return LoadResult(self._read())
        except _DamagedFileError as exc:
            if exc.newer:
                return LoadResult(Config(), self._read_error(exc.reason, _KEPT_NEWER))
            return LoadResult(Config(), self._move_aside(exc.reason))

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the settings lock (re-entrant) for a load-modify-save; CONFIG error on timeout."""
        try:
            self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise self._save_error(
                f"Token Tray could not write {self.path}: {_os_reason(exc)}."
            ) from None
        return holding(self._lock, self.path)

    def save(self, config: Config) -> None:
        """Write atomically with mode 0600; raise a CONFIG :class:`AppError` on failure."""
        data = self._encode(config)
        with self.locked():
            self._save_locked(data)

    def _save_locked(self, data: bytes) -> None:
        self._refuse_to_clobber()
        try:
            self._write_atomically(data)
        except OSError as exc:
            raise self._save_error(
                f"Token Tray could not write {self.path}: {_os_reason(exc)}. "
                "Your previous settings were left unchanged."
            ) from None

    def _read(self) -> Config:
        """The parsed file; _DamagedFileError for bad content, AppError when it cannot be read."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Config()
        except OSError as exc:
            raise self._read_error(_os_reason(exc)) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _DamagedFileError("it is not a text file in UTF-8") from None
        return _parse(text)

    def _read_error(self, reason: str, advice: str = "") -> AppError:
        return AppError(ErrorKind.CONFIG, _READ_TITLE, f"{self.path} — {reason}.{advice}")

    def _move_aside(self, reason: str) -> AppError:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._clock()))
        try:
            kept = self._rename_to_free_name(f"{CONFIG_NAME}.corrupt-{stamp}")
        except OSError as exc:
            problem = f"{reason}; moving it aside failed: {_os_reason(exc)}"
            raise self._read_error(problem, _FIX_ADVICE) from None
        return AppError(
            ErrorKind.CONFIG,
            "Settings were reset",
            f"Token Tray could not read its settings file ({reason}), so it started with empty "
            f"settings. Nothing was deleted: the old file is kept as {kept}.",
        )

    def _rename_to_free_name(self, base: str) -> Path:
        for attempt in range(1, 1000):
            target = self._directory / (base if attempt == 1 else f"{base}-{attempt}")
            try:
                rename_no_replace(self.path, target)
            except FileExistsError:
                continue
            return target
        raise FileExistsError(self._directory / base)

    def _encode(self, config: Config) -> bytes:
        try:
            text = json.dumps(config.to_dict(), indent=2, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise self._save_error(
                f"A setting has a value that cannot be stored ({exc}). "
                f"{self.path} was left unchanged."
            ) from None
        return (text + "\n").encode("utf-8")

    def _refuse_to_clobber(self) -> None:
        try:
            self._read()
        except _DamagedFileError as exc:
            raise self._save_error(
                f"{self.path} — {exc.reason}. Token Tray will not replace it."
            ) from None
        except AppError as exc:
            raise self._save_error(exc.message) from None

    def _write_atomically(self, data: bytes) -> None:
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._own_folder and os.name != "nt":
            os.chmod(self._directory, 0o700)
        remove_orphans(self.path)
        write_atomically(self.path, data)

    def _save_error(self, message: str) -> AppError:
        return AppError(ErrorKind.CONFIG, _SAVE_TITLE, message)
