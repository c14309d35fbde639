"""The tray icons: the overall state, and that every SVG renders legibly at tray sizes."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.ui.icons import (
    ICON_SIZES,
    IconProvider,
    IconState,
    overall_state,
    read_icon_bytes,
)
from tray_app.ui.token_service import ServiceStatus, TokenState


def _status(state: TokenState, error: AppError | None = None) -> ServiceStatus:
    profile = Profile(name="Tarkov API", token_url="https://a.example/t", client_id="c")
    return ServiceStatus(profile, state, error=error)


def unavailable() -> AppError:
    return AppError(ErrorKind.UNAVAILABLE, "Server not reachable", "Try later.", retryable=True)


def rejected() -> AppError:
    return AppError(ErrorKind.REJECTED, "Wrong client ID or secret", "Check them.")


def test_overall_state_picks_the_most_urgent() -> None:
    ok = _status(TokenState.VALID)
    warning = _status(TokenState.VALID, unavailable())
    failed = _status(TokenState.FAILED, rejected())
    fetching = _status(TokenState.FETCHING)

    assert overall_state([]) is IconState.EMPTY
    assert overall_state([ok]) is IconState.OK
    assert overall_state([ok, fetching]) is IconState.REFRESHING
    assert overall_state([fetching, warning, ok]) is IconState.WARNING
    assert overall_state([warning, failed, ok]) is IconState.ERROR


def test_every_icon_renders_at_tray_sizes(qtbot: QtBot) -> None:
    provider = IconProvider()

    for state in IconState:
        icon = provider.state_icon(state)
        assert icon.availableSizes()
        for size in (16, 22, 32):
            image = icon.pixmap(size, size).toImage()
            assert image.width() == size
            assert image.pixelColor(size // 2, size // 2).alpha() > 0  # drawn, not blank
    assert not provider.app_icon().isNull()
    assert 16 in ICON_SIZES


def test_icons_are_rendered_once_per_provider(qtbot: QtBot) -> None:
    loads: list[str] = []
    real = IconProvider()

    def loader(name: str) -> bytes:
        loads.append(name)
        return read_icon_bytes(name)

    provider = IconProvider(loader)
    first = provider.state_icon(IconState.OK)
    second = provider.state_icon(IconState.OK)

    assert loads == ["state-ok.svg"]
    assert first.cacheKey() == second.cacheKey()
    assert real.state_icon(IconState.OK).cacheKey() != first.cacheKey()
