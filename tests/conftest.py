"""Root test configuration: Qt runs offscreen unless a test sets up a real display itself."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKEN_TRAY_CONFIG_DIR", os.path.join(os.sep, "nonexistent-token-tray-config"))
