"""The tray icons: the overall state, and that every SVG renders legibly at tray sizes."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer
from pytestqt.qtbot import QtBot

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import Profile
from tray_app.core.status import ServiceStatus, TokenState
from tray_app.gui.icons import (
    ICON_SIZES,
    SMALL_MAX,
    IconProvider,
    IconState,
    overall_state,
    read_icon_bytes,
    render_image,
    small_variant,
    status_icon_state,
)


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


def test_a_failing_refresh_stays_amber_while_the_next_try_runs() -> None:
    assert status_icon_state(_status(TokenState.REFRESHING)) is IconState.REFRESHING
    assert status_icon_state(_status(TokenState.REFRESHING, unavailable())) is IconState.WARNING
    assert status_icon_state(_status(TokenState.VALID, unavailable())) is IconState.WARNING


def test_no_usable_token_is_red_even_while_retrying() -> None:
    assert status_icon_state(_status(TokenState.FETCHING)) is IconState.REFRESHING  # first try
    assert status_icon_state(_status(TokenState.FETCHING, unavailable())) is IconState.ERROR
    assert status_icon_state(_status(TokenState.FAILED, rejected())) is IconState.ERROR
    assert status_icon_state(_status(TokenState.EXPIRED)) is IconState.ERROR
    assert status_icon_state(_status(TokenState.NO_TOKEN)) is IconState.REFRESHING
    assert status_icon_state(_status(TokenState.VALID)) is IconState.OK


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


def test_icons_are_drawn_on_a_transparent_background(qtbot: QtBot) -> None:
    """Every size starts from a fully transparent image (no leftover memory, no backdrop)."""
    renderer = QSvgRenderer(QByteArray(read_icon_bytes(IconState.OK.value)))
    for size in ICON_SIZES:
        image = render_image(renderer, size)
        assert image.format() is QImage.Format.Format_ARGB32_Premultiplied
        corners = [(0, 0), (size - 1, 0), (0, size - 1), (size - 1, size - 1)]
        assert [image.pixel(x, y) for x, y in corners] == [0, 0, 0, 0]
        assert image.pixelColor(size // 2, size // 2).alpha() > 0


def test_icons_are_rendered_once_per_provider(qtbot: QtBot) -> None:
    loads: list[str] = []
    real = IconProvider()

    def loader(name: str) -> bytes:
        loads.append(name)
        return read_icon_bytes(name)

    provider = IconProvider(loader)
    first = provider.state_icon(IconState.OK)
    second = provider.state_icon(IconState.OK)

    assert loads == ["state-ok.svg", "state-ok-small.svg"]
    assert first.cacheKey() == second.cacheKey()
    assert real.state_icon(IconState.OK).cacheKey() != first.cacheKey()


TRAY_SIZES = (16, 22, 24, 32)
HIDPI_SIZES = (32, 44, 48, 64)  # 16, 22, 24 and 32 px at a device pixel ratio of 2


def gray(image: QImage) -> list[int]:
    """Luminance of every pixel, composited on mid-grey (alpha matters, hue does not)."""
    values = []
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            alpha = color.alphaF()
            luma = 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue()
            values.append(round(luma * alpha + 128 * (1 - alpha)))
    return values


@pytest.mark.parametrize("size", sorted({*TRAY_SIZES, *HIDPI_SIZES}))
def test_states_differ_in_shape_not_only_colour(qtbot: QtBot, size: int) -> None:
    """Seen in greys (as by a colour-blind user), every pair of states still looks different."""
    provider = IconProvider()
    greys = {
        state: gray(provider.state_icon(state).pixmap(size, size).toImage()) for state in IconState
    }

    for first, second in itertools.combinations(IconState, 2):
        changed = sum(abs(a - b) > 48 for a, b in zip(greys[first], greys[second], strict=True))
        assert changed >= size * size // 40, (size, first, second, changed)


@pytest.mark.parametrize("size", [16, 20])
def test_small_sizes_use_the_pixel_aligned_drawing(qtbot: QtBot, size: int) -> None:
    for state in IconState:
        small = QSvgRenderer(QByteArray(read_icon_bytes(small_variant(state.value))))
        icon = IconProvider().state_icon(state)

        assert size <= SMALL_MAX
        assert icon.pixmap(size, size).toImage() == render_image(small, size)


def test_larger_sizes_use_the_full_drawing(qtbot: QtBot) -> None:
    full = QSvgRenderer(QByteArray(read_icon_bytes(IconState.ERROR.value)))
    icon = IconProvider().state_icon(IconState.ERROR)

    for size in (22, 24, 32, 64):
        assert icon.pixmap(size, size).toImage() == render_image(full, size)
