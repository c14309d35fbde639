"""Render every tray-icon state at the usual tray sizes on a light and a dark panel.

Usage: ``.venv/bin/python -m tools.render_icons [--output PATH]``

Writes ``docs/screenshots/icon-states.png`` (the README shows it): one row per state, each
icon at 16, 22, 24 and 32 px and at double size (HiDPI), at actual size, first on a light then on a
dark panel. Runs offscreen. To judge single pixels, enlarge the PNG without smoothing.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

from tray_app.gui.icons import IconProvider, IconState

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "screenshots" / "icon-states.png"
SIZES = (16, 22, 24, 32)
PANELS = (("#ececec", "#202020"), ("#2b2b2b", "#f0f0f0"))
"""(background, text colour) of a light and a dark panel."""
LABELS = {
    IconState.OK: "All tokens valid",
    IconState.REFRESHING: "Getting a token",
    IconState.WARNING: "Refresh failing, token still valid",
    IconState.ERROR: "A profile has no usable token",
    IconState.EMPTY: "No profile yet",
}
LABEL_WIDTH = 250
PAD = 8


def sheet() -> QImage:
    """The whole contact sheet."""
    columns = len(SIZES) * 2  # normal and double size, per panel
    row_height = max(SIZES) * 2 + PAD
    width = LABEL_WIDTH + len(PANELS) * columns * (max(SIZES) * 2 + PAD)
    image = QImage(width, row_height * (len(IconState) + 1), QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setFont(QFont("DejaVu Sans", 10))
    provider = IconProvider()
    column_width = max(SIZES) * 2 + PAD
    for panel_index, (background, text) in enumerate(PANELS):
        left = LABEL_WIDTH + panel_index * columns * column_width
        area = QRect(left, 0, columns * column_width, image.height())
        painter.fillRect(area, QColor(background))
        painter.setPen(QColor(text))
        for column, (size, scale) in enumerate((s, k) for k in (1, 2) for s in SIZES):
            x = left + column * column_width
            caption = f"{size}" if scale == 1 else f"{size}@2x"
            header = QRect(x, 0, column_width, row_height)
            painter.drawText(header, Qt.AlignmentFlag.AlignCenter, caption)
            for row, state in enumerate(IconState, start=1):
                pixels = size * scale
                icon = provider.state_icon(state).pixmap(pixels, pixels).toImage()
                painter.drawImage(x + PAD // 2, row * row_height + PAD // 2, icon)
    painter.setPen(QColor("#202020"))
    for row, state in enumerate(IconState, start=1):
        box = QRect(PAD, row * row_height, LABEL_WIDTH - PAD, row_height)
        painter.drawText(box, Qt.AlignmentFlag.AlignVCenter, LABELS[state])
    painter.end()
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication([])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not sheet().save(str(args.output)):
        raise SystemExit(f"could not write {args.output}")
    del app
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
