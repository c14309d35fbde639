"""The log-fail plugin really fails a test that logs an undeclared warning (run in pytester)."""

from __future__ import annotations

import pytest

CONFTEST = 'pytest_plugins = ["tests.support.logfail"]\n'
TESTS = """
import logging

import pytest

log = logging.getLogger("tray_app.somewhere")


def test_quiet():
    log.info("fine")


def test_warns():
    log.warning("the token server said no")


def test_errors_from_a_library_are_not_ours():
    logging.getLogger("urllib3").error("not Token Tray's")


@pytest.mark.allow_log_warnings
def test_warns_and_says_so():
    log.warning("expected")


def test_warns_and_checks(caplog):
    log.error("expected too")
    assert "expected too" in caplog.text
"""


@pytest.mark.allow_log_warnings  # the inner run logs into this process
def test_only_the_undeclared_warning_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_sample=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_warns*", "*WARNING tray_app.somewhere: the token server*"]
    )
