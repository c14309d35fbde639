"""The log redaction filter and the rotating file handler (no Qt)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tray_app.core.logsetup import LOG_NAME, REDACTED, RedactionFilter, redact, setup_logging

JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjoxNzAwMDAwMDAwfQ"
    ".c2lnbmF0dXJlLXBhcnQtMTIzNDU2Nzg5MA"
)
TARKOV_SECRET = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr0"  # 43+ chars base64url


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("Authorization: Bearer abc.def-123", "abc.def-123"),
        ("headers={'Authorization': 'Basic Y2xpZW50OnNlY3JldA=='}", "Y2xpZW50OnNlY3JldA=="),
        ("sent bearer short", "short"),
        ('{"access_token": "tok-1", "token_type": "bearer"}', "tok-1"),
        ('{"client_secret":"s3cr3t p+%"}', "s3cr3t p+%"),
        ("grant_type=client_credentials&client_secret=hunter2&scope=x", "hunter2"),
        ("password: hunter2", "hunter2"),
        ("data={'client_secret': 'hunter 2', 'scope': 'x'}", "hunter 2"),
        ("{'access_token': 'short1'}", "short1"),
        (f"got {JWT} back", JWT),
        (f"secret is {TARKOV_SECRET}", TARKOV_SECRET),
    ],
)
def test_redact_removes_credentials(text: str, leaked: str) -> None:
    result = redact(text)

    assert leaked not in result
    assert REDACTED in result


@pytest.mark.parametrize(
    "text",
    [
        "Token for profile Tarkov API failed (Wrong client ID or secret)",
        "Config saved to /home/someone/.config/token-tray/config.json",
        "POST https://identity.tarkov-database.com/v1/oauth/token answered 401",
        '{"token_type": "bearer", "expires_in": 1800}',
    ],
)
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


def test_redact_keeps_the_scheme_name_readable() -> None:
    assert redact("Authorization: Bearer abc") == f"Authorization: Bearer {REDACTED}"


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_redacts_arguments_and_keeps_the_record() -> None:
    record = _record("header was %s for %s", "Bearer tok-secret-1", "Tarkov API")

    assert RedactionFilter().filter(record) is True

    assert record.getMessage() == f"header was Bearer {REDACTED} for Tarkov API"


def _fail() -> None:
    raise ValueError(f"server echoed client_secret={TARKOV_SECRET}")


def test_filter_redacts_exception_text() -> None:
    try:
        _fail()
    except ValueError as exc:
        record = _record("request failed", exc=exc)

    RedactionFilter().filter(record)
    line = logging.Formatter().format(record)

    assert TARKOV_SECRET not in line
    assert "ValueError" in line


@pytest.fixture
def private_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("tray_app.tests.logsetup")
    logger.propagate = False
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def test_setup_logging_writes_a_redacted_file(
    tmp_path: Path, private_logger: logging.Logger
) -> None:
    handler = setup_logging(tmp_path / "logs", root=private_logger)

    private_logger.info("fetched %s", JWT)
    handler.flush()

    content = (tmp_path / "logs" / LOG_NAME).read_text(encoding="utf-8")
    assert "fetched [redacted]" in content
    assert JWT not in content


POSIX_MODES = pytest.mark.skipif(
    sys.platform == "win32", reason="Windows has no Unix file modes (the profile folder is private)"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@POSIX_MODES
def test_the_log_is_private_from_creation_through_rotation(
    tmp_path: Path, private_logger: logging.Logger
) -> None:
    folder = tmp_path / "logs"
    previous = os.umask(0o022)  # the usual umask: files 0644 unless opened 0600
    try:
        handler = setup_logging(folder, root=private_logger)
        private_logger.info("first")
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()
        private_logger.info("second")
        handler.flush()
    finally:
        os.umask(previous)
    assert mode(folder) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == [LOG_NAME, f"{LOG_NAME}.1"]
    assert {mode(p) for p in folder.iterdir()} == {0o600}


@POSIX_MODES
def test_a_log_left_readable_by_an_older_version_is_tightened(
    tmp_path: Path, private_logger: logging.Logger
) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    (folder / LOG_NAME).write_text("old line\n")
    (folder / LOG_NAME).chmod(0o644)
    setup_logging(folder, root=private_logger)
    assert (mode(folder), mode(folder / LOG_NAME)) == (0o700, 0o600)
    assert (folder / LOG_NAME).read_text().startswith("old line\n")  # appended, not replaced
