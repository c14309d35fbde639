"""Parsing JSON from outside (socket, files, servers) where nesting depth is part of "invalid".

Python's ``json`` raises ``RecursionError``, not ``ValueError``, for input nested deeper than the
interpreter's recursion limit (a few thousand ``[`` are enough). Every caller treats invalid
JSON as a plain, explained failure; a RecursionError slipped past those handlers and ended as
an internal error, or as a command-line request that was never answered. :func:`loads` turns it
into the same ``JSONDecodeError`` as any other broken document.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing is not imported at run time: the `token` fast path uses this
if TYPE_CHECKING:
    from typing import Any


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``; too-deep nesting raises ``json.JSONDecodeError`` like bad syntax."""
    try:
        return json.loads(text)
    except RecursionError:
        document = text if isinstance(text, str) else text.decode("utf-8", "replace")
        raise json.JSONDecodeError("nested too deeply", document, 0) from None
