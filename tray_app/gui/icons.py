"""Tray-state and application icons, rendered from the SVG files in ``tray_app/resources/icons``.

Design decisions:

* **One overall state.** The tray has room for one icon, so :func:`overall_state` folds every
  profile's :class:`ServiceStatus` into the most urgent :class:`IconState`:
  error (some profile has no usable token) > warning (a refresh fails but the token is still
  valid) > refreshing (a fetch is in flight) > ok; no profile at all is "empty".
* **Shape as well as colour.** Each state differs by more than its colour (a badge with "!"
  or a cross, an arrow, an outline), so the icon stays readable for colour-blind users and on
  both light and dark panels. The glyph is a bold key on a disc, drawn on a 32-unit grid so it stays
  legible at 16 px.
* **A second drawing for small sizes.** A 32-unit drawing scaled to 16 px puts every edge on a
  half pixel and blurs the badges. Each state therefore also has ``state-*-small.svg``, drawn
  on a 16-unit grid with edges on whole pixels, used up to :data:`SMALL_MAX` px; larger and
  HiDPI sizes use the 32-unit drawing. ``tools/render_icons.py`` renders both at every tray
  size on a light and a dark panel, to look at them.
* **Rendered, not loaded as files.** The SVG bytes come from ``importlib.resources`` (works from
  a wheel, an editable install or a frozen bundle) and are rendered with ``QSvgRenderer`` into
  pixmaps at the usual tray sizes, so no image-format plugin and no file path is needed.
* **Cache per instance.** :class:`IconProvider` keeps the rendered icons in its own dict; there
  is no module-level state.
* **Cheap to import.** The first tray icon is rendered by this module before the rest of the
  app is imported (:mod:`tray_app.gui.startup`), so it must not pull in what that icon does not
  need: it never makes PySide6 build the ``Qt`` namespace's ~100 Python enums (25-40 ms, a
  sixth of a bare tray's whole start-up; even ``QImage.fill`` does, through its overloads) and
  imports the service-status types only when a status is folded into a state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from importlib import resources
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

if TYPE_CHECKING:
    from tray_app.core.status import ServiceStatus

ICON_SIZES = (16, 17, 18, 19, 20, 21, 22, 23, 24, 32, 48, 64, 128)
"""Pixel sizes pre-rendered into every QIcon: every size an X11 tray slot may have (16-24,
so nothing is scaled and blurred), 32 and HiDPI sizes, and larger ones for dialogs."""

SMALL_MAX = 20
"""Sizes up to this many pixels use the ``*-small.svg`` drawing when there is one."""

APP_ICON = "app.svg"


class IconState(enum.Enum):
    """The overall tray state; the value is the SVG file name."""

    OK = "state-ok.svg"
    REFRESHING = "state-refreshing.svg"
    WARNING = "state-warning.svg"
    ERROR = "state-error.svg"
    EMPTY = "state-empty.svg"


_URGENCY = (IconState.OK, IconState.REFRESHING, IconState.WARNING, IconState.ERROR)


def status_icon_state(status: ServiceStatus) -> IconState:
    """The icon state for a single profile.

    ``ServiceStatus.error`` set while a token is still held means "refresh failing, token still
    valid" (WARNING), also while the next attempt runs, so the icon does not flicker between
    amber and blue on every retry. An error while no token is held is ERROR, even mid-retry.
    """
    from tray_app.core.status import TokenState  # not needed to show the first icon

    state, failing = status.state, status.error is not None
    if state in (TokenState.FAILED, TokenState.EXPIRED):
        return IconState.ERROR
    if state is TokenState.FETCHING:
        return IconState.ERROR if failing else IconState.REFRESHING
    if failing:
        return IconState.WARNING
    return (
        IconState.REFRESHING
        if state in (TokenState.REFRESHING, TokenState.NO_TOKEN)
        else IconState.OK
    )


def overall_state(statuses: Iterable[ServiceStatus]) -> IconState:
    """The most urgent state among ``statuses``; EMPTY when there is none."""
    states = [status_icon_state(status) for status in statuses]
    if not states:
        return IconState.EMPTY
    return max(states, key=_URGENCY.index)


def read_icon_bytes(name: str) -> bytes:
    """The SVG source of ``name`` from the package's ``resources/icons`` folder."""
    return resources.files("tray_app.resources").joinpath("icons", name).read_bytes()


def small_variant(name: str) -> str:
    """'state-ok.svg' → 'state-ok-small.svg', the drawing for small sizes."""
    return name.removesuffix(".svg") + "-small.svg"


def render_image(renderer: QSvgRenderer, size: int) -> QImage:
    """``renderer``'s drawing as a square image of ``size`` pixels on a transparent background."""
    # Starts from zeroed (transparent) bytes instead of QImage.fill(): resolving fill()'s
    # overloads builds every enum of PySide6's Qt namespace, 25-40 ms before the first icon.
    blank = bytes(4 * size * size)
    image = QImage(blank, size, size, QImage.Format.Format_ARGB32_Premultiplied).copy()
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def render_svg(
    svg: bytes, sizes: Iterable[int] = ICON_SIZES, *, small: bytes | None = None
) -> QIcon:
    """A QIcon holding ``svg`` rendered at each of ``sizes``; ``small`` up to SMALL_MAX px."""
    large_renderer = QSvgRenderer(QByteArray(svg))
    small_renderer = QSvgRenderer(QByteArray(small)) if small is not None else large_renderer
    icon = QIcon()
    for size in sizes:
        renderer = small_renderer if size <= SMALL_MAX else large_renderer
        icon.addPixmap(QPixmap.fromImage(render_image(renderer, size)))
    return icon


class IconProvider:
    """Hands out the app icon and the tray-state icons, rendering each file once."""

    def __init__(self, loader: Callable[[str], bytes] = read_icon_bytes) -> None:
        self._loader = loader
        self._cache: dict[str, QIcon] = {}

    def app_icon(self) -> QIcon:
        return self._icon(APP_ICON)

    def state_icon(self, state: IconState) -> QIcon:
        return self._icon(state.value)

    def _icon(self, name: str) -> QIcon:
        icon = self._cache.get(name)
        if icon is None:
            icon = self._cache[name] = render_svg(self._loader(name), small=self._small(name))
        return icon

    def _small(self, name: str) -> bytes | None:
        try:
            return self._loader(small_variant(name))
        except FileNotFoundError:
            return None
