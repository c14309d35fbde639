"""A pytest plugin: a test fails when Token Tray logs a warning or an error it did not expect.

A warning in the app's log is something a user would have to read about later, so a test that
triggers one without saying so has found either a bug or a missing assertion. The plugin listens
on the ``tray_app`` logger (every module logs under it) from a test's setup to its teardown and
fails the test in teardown, naming the records.

A test that means to cause such a record says so: with the ``allow_log_warnings`` marker, or by
using ``caplog`` (it then holds the records and is expected to assert on them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

APP_LOGGER = "tray_app"
MARKER = "allow_log_warnings"


class Collector(logging.Handler):
    """Keeps every record of WARNING or above that reaches it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: the test expects Token Tray to log warnings or errors"
    )


def describe(record: logging.LogRecord) -> str:
    return f"{record.levelname} {record.name}: {record.getMessage()}"


@pytest.fixture(autouse=True)
def fail_on_log_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if ``tray_app`` logged a warning it did not declare."""
    collector = Collector()
    logger = logging.getLogger(APP_LOGGER)
    logger.addHandler(collector)
    try:
        yield
    finally:
        logger.removeHandler(collector)
    declared = request.node.get_closest_marker(MARKER) is not None
    if collector.records and not declared and "caplog" not in request.fixturenames:
        lines = "\n".join(describe(record) for record in collector.records)
        pytest.fail(
            f"Token Tray logged warnings this test does not expect (mark it "
            f"@pytest.mark.{MARKER} or assert on them with caplog):\n{lines}",
            pytrace=False,
        )
