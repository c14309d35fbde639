"""config.json: profiles and application settings, never a secret or a token.

Location: ``$TOKEN_TRAY_CONFIG_DIR`` when set, else ``platformdirs.user_config_dir("token-tray")``.
Written atomically (temp file in the same folder, fsync, ``os.replace``) with mode 0600. A file
that cannot be read is never overwritten: it is moved aside to ``config.json.corrupt-<time>``
and the user is told (DESIGN.md "Config").
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path

from tray_app.core.errors import AppError
from tray_app.core.profile import Profile

SCHEMA_VERSION = 1
CONFIG_DIR_ENV = "TOKEN_TRAY_CONFIG_DIR"
CONFIG_NAME = "config.json"


class LeftClick(enum.StrEnum):
    COPY_TOKEN = "copy_token"
    COPY_HEADER = "copy_header"
    OPEN_MENU = "open_menu"


@dataclasses.dataclass
class AppSettings:
    default_profile_id: str | None = None
    clipboard_clear_seconds: int = 60
    notifications: bool = True
    left_click: LeftClick = LeftClick.COPY_TOKEN


@dataclasses.dataclass
class Config:
    profiles: list[Profile] = dataclasses.field(default_factory=list)
    settings: AppSettings = dataclasses.field(default_factory=AppSettings)

    def default_profile(self) -> Profile | None:
        """The default profile, falling back to the first one."""
        raise NotImplementedError

    def find(self, name_or_id: str) -> Profile | None:
        """A profile by exact id, else by name (case-insensitive)."""
        raise NotImplementedError

    def upsert(self, profile: Profile) -> None:
        """Add ``profile`` or replace the one with the same id; names must stay unique."""
        raise NotImplementedError

    def remove(self, profile_id: str) -> Profile | None:
        """Remove by id; returns what was removed. Fixes the default if it pointed there."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class LoadResult:
    config: Config
    notice: AppError | None = None
    """Set when the file was unreadable and moved aside: tell the user."""


def config_dir() -> Path:
    raise NotImplementedError


class ConfigStore:
    def __init__(self, directory: Path | None = None) -> None:
        raise NotImplementedError

    @property
    def path(self) -> Path:
        raise NotImplementedError

    def load(self) -> Config:
        """Read the config (empty when missing); raise a CONFIG :class:`AppError` when unreadable."""
        raise NotImplementedError

    def load_or_recover(self) -> LoadResult:
        """Read the config; an unreadable file is moved aside and reported, not overwritten."""
        raise NotImplementedError

    def save(self, config: Config) -> None:
        """Write atomically with mode 0600; raise a CONFIG :class:`AppError` on failure."""
        raise NotImplementedError
