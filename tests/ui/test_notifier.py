"""The notification decisions: copy confirmations, "needs you" once per failure, recovery once."""

from __future__ import annotations

import pytest

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.formats import OutputFormat
from tray_app.core.notices import (
    Notice,
    ProfileWatch,
    Route,
    copied_notice,
    message_route,
    needs_user,
)
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.core.token import Token

NOW = 1_700_000_000.0
PROFILE = Profile(name="Tarkov API", token_url="https://a.example/t", client_id="c")
OTHER = Profile(name="Acme", token_url="https://a.example/t", client_id="c")


def rejected() -> AppError:
    return AppError(
        ErrorKind.REJECTED, "Wrong client ID or secret", "Paste them again.", http_status=401
    )


def no_storage() -> AppError:
    return AppError(ErrorKind.STORAGE, "No secure password storage", "Install GNOME Keyring.")


def offline() -> AppError:
    return AppError(ErrorKind.UNAVAILABLE, "Cannot reach the token server", "…", retryable=True)


def token(lifetime: float = 1800.0) -> Token:
    return Token("tok", "bearer", lifetime=lifetime, obtained_at=NOW)


def status(
    state: TokenState,
    error: AppError | None = None,
    *,
    held: Token | None = None,
    profile: Profile = PROFILE,
) -> ServiceStatus:
    return ServiceStatus(profile, state, held, error)


def test_copied_notice_names_what_and_how_long() -> None:
    assert copied_notice("Tarkov API", OutputFormat.RAW, 27 * 60 + 59) == Notice(
        "Token for Tarkov API copied — valid for 27 min"
    )
    assert copied_notice("Acme", OutputFormat.CURL, 45).text == (
        "curl command for Acme copied — valid for 45 s"
    )
    assert copied_notice("Acme", OutputFormat.CURL, 45, has_api_url=False).text == (
        "curl command for Acme copied — valid for 45 s. Replace <API-URL> at its end with the "
        "address to call, or set the API URL of the profile in Settings."
    )


@pytest.mark.parametrize(
    ("supports", "visible", "route"),
    [
        (True, True, Route.BALLOON),
        (False, True, Route.STATUS_LINE),
        (True, False, Route.STATUS_LINE),
        (False, False, Route.STATUS_LINE),
    ],
)
def test_message_route_falls_back_to_the_status_line(
    supports: bool, visible: bool, route: Route
) -> None:
    assert message_route(supports, visible) is route


def test_only_errors_no_retry_can_heal_need_the_user() -> None:
    assert needs_user(status(TokenState.FAILED, rejected())) is not None
    assert needs_user(status(TokenState.FAILED, no_storage())) is not None
    assert needs_user(status(TokenState.FAILED, offline())) is None
    assert needs_user(status(TokenState.VALID, held=token())) is None


def test_a_failure_is_announced_once_then_recovery_once() -> None:
    watch = ProfileWatch()

    first = watch.observe(status(TokenState.FAILED, rejected()), NOW)
    assert first == Notice(
        "Tarkov API needs your attention: Wrong client ID or secret. Paste them again.",
        warning=True,
    )
    # "Refresh now", the same answer again: nothing new to say.
    assert watch.observe(status(TokenState.FETCHING, rejected()), NOW) is None
    assert watch.observe(status(TokenState.FAILED, rejected()), NOW) is None

    healed = watch.observe(status(TokenState.VALID, held=token()), NOW + 60)
    assert healed == Notice("Tarkov API works again — valid for 29 min")
    assert watch.observe(status(TokenState.VALID, held=token()), NOW + 90) is None


def test_a_different_failure_is_announced() -> None:
    watch = ProfileWatch()
    watch.observe(status(TokenState.FAILED, rejected()), NOW)

    notice = watch.observe(status(TokenState.FAILED, no_storage()), NOW)

    assert notice is not None
    assert notice.text.startswith("Tarkov API needs your attention: No secure password storage.")


def test_retryable_trouble_is_never_announced_and_does_not_count_as_recovery() -> None:
    watch = ProfileWatch()

    assert watch.observe(status(TokenState.FAILED, offline()), NOW) is None
    assert watch.observe(status(TokenState.VALID, offline(), held=token()), NOW) is None
    assert watch.observe(status(TokenState.VALID, held=token()), NOW) is None  # nothing to heal

    watch.observe(status(TokenState.FAILED, rejected()), NOW)
    assert watch.observe(status(TokenState.FAILED, offline()), NOW) is None  # not healed yet
    assert watch.observe(status(TokenState.VALID, held=token()), NOW) is not None


def test_profiles_are_watched_separately_and_forgotten_when_removed() -> None:
    watch = ProfileWatch()
    watch.observe(status(TokenState.FAILED, rejected()), NOW)

    other = watch.observe(status(TokenState.FAILED, rejected(), profile=OTHER), NOW)
    assert other is not None
    assert other.text.startswith("Acme needs your attention")

    watch.keep_only({OTHER.id})
    again = watch.observe(status(TokenState.FAILED, rejected()), NOW)
    assert again is not None  # a re-added profile starts afresh
    assert watch.observe(status(TokenState.VALID, held=token(), profile=OTHER), NOW) is not None
