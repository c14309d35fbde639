"""Logging: one rotating file in the user log folder, passed through a redaction filter.

Design decisions:

* The log is for diagnosing problems after the fact, so it goes to a file
  (``token-tray.log`` in the log folder of :func:`tray_app.core.folders.user_folder`, 1 MiB,
  3 old files kept) rather than a console nobody sees when the tray is started from a menu.
* **Nothing secret reaches the file**, even by mistake: :class:`RedactionFilter` rewrites every
  record (message, arguments, exception text and stack) before the handler formats it. It
  removes ``Bearer``/``Basic`` credentials (``Authorization`` headers), values of secret-looking
  keys (``client_secret``, ``access_token``, ``password``… in ``key=value``, ``key: value`` and
  JSON forms), and any long base64-ish run (≥ 32 characters mixing letters and digits — JWTs,
  opaque tokens, 43-character secrets). Absolute paths (a run starting with ``/``) are kept, so
  the log stays readable; profile ids (32 hex digits) are redacted too, an accepted loss.
* The filter sits on the handler, not on a logger, so records from every library are covered.
* **Private, like config.json.** Even redacted, the log records what the user did (profile
  names, Token URLs, when tokens were copied), so the folder is made 0700 and every log file —
  the current one and each rotated one — is created 0600 (:class:`PrivateRotatingFileHandler`
  opens it with that mode rather than trusting the umask). A folder or file left looser by an
  older version is tightened. Windows ignores these modes; there the profile folder is private.
* Nothing happens at import: :func:`setup_logging` is called by the composition root.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import sys
import traceback
from pathlib import Path

from tray_app.core.folders import user_folder
from tray_app.identity import APP_ID

LOG_NAME = f"{APP_ID}.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
REDACTED = "[redacted]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRET_KEYS = (
    r"client_secret|access_token|refresh_token|id_token|secret|password|passwd|token|"  # noqa: S105
    r"authorization|api_key|apikey"
)
_AUTH_SCHEME = re.compile(r"\b(Bearer|Basic)\s+[^\s\"',;]+", re.IGNORECASE)
# JSON ("key": "value") and Python reprs ('key': 'value').
_QUOTED_KEY = re.compile(rf"([\"'](?:{_SECRET_KEYS})[\"']\s*:\s*)([\"'])(?:(?!\2).)*\2", re.I)
_NOT_DONE = r"(?!\[redacted\]|Bearer\b|Basic\b)"
_KEY_VALUE = re.compile(rf"\b((?:{_SECRET_KEYS})\s*[=:]\s*){_NOT_DONE}[^\s&\"',;]+", re.I)
_BASE64ISH = re.compile(r"(?<![A-Za-z0-9+/=_.~-])[A-Za-z0-9+/=_.~-]{32,}")


def _redact_long(match: re.Match[str]) -> str:
    run = match.group(0)
    mixed = any(c.isdigit() for c in run) and any(c.isalpha() for c in run)
    return REDACTED if mixed and not run.startswith("/") else run


def redact(text: str) -> str:
    """``text`` with credentials, secret values and long token-like strings replaced."""
    text = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _QUOTED_KEY.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return _BASE64ISH.sub(_redact_long, text)


class RedactionFilter(logging.Filter):
    """Rewrites each record so that the formatted line contains no secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def default_log_dir() -> Path:
    return Path(user_folder("log"))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner can read (0600 from creation)."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        fd = os.open(self.baseFilename, flags, 0o600)
        if sys.platform != "win32":
            os.fchmod(fd, 0o600)  # a file an older version made 0644
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def private_folder(directory: Path) -> None:
    """``directory`` exists and only its owner can enter it."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform != "win32":
        directory.chmod(0o700)


def make_handler(directory: Path) -> logging.Handler:
    """A rotating file handler in ``directory`` with the redaction filter attached."""
    private_folder(directory)
    handler = PrivateRotatingFileHandler(
        directory / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.addFilter(RedactionFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return handler


def setup_logging(
    directory: Path | None = None,
    *,
    level: int = logging.INFO,
    root: logging.Logger | None = None,
) -> logging.Handler:
    """Attach the redacting file handler to ``root`` (the root logger by default)."""
    target = root if root is not None else logging.getLogger()
    handler = make_handler(directory if directory is not None else default_log_dir())
    target.addHandler(handler)
    target.setLevel(level)
    return handler


def log_unexpected(log: logging.Logger, exc: BaseException, what: str) -> None:
    """Log an unexpected exception by type and stack frames only.

    Its message is left out on purpose: a library's error text may quote a secret or a token
    (a keyring error repeating the password, an HTTP error with the request), and redaction
    can only catch shapes it knows.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("Unexpected %s %s:\n%s", type(exc).__name__, what, frames)
