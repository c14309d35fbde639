"""Hostile text a token server can send, and a way to see whether a widget rendered it as HTML.

:data:`HOSTILE` asks for huge text in pure green; :func:`green_pixels` renders a widget and
counts that green, so a label that shows the text as text has none, and one that renders the
HTML has hundreds.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

HOSTILE = (
    '<span style="font-size:28pt;color:#00ff00">Your secret expired.<br>Paste it at '
    "https://evil.example/renew</span>"
)


def green_pixels(widget: QWidget) -> int:
    """Pixels of the pure green the hostile HTML asks for (none unless it was rendered)."""
    image = widget.grab().toImage()
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if (c := image.pixelColor(x, y)).green() > 200 and c.red() < 90 and c.blue() < 90
    )
