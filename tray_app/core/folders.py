"""Where Token Tray keeps its per-user folders: settings, log and the runtime folder.

Design decisions:

* **macOS: the ``~/Library`` folders, always.** platformdirs lets the ``XDG_*`` variables
  override the macOS defaults (tox-dev/platformdirs pull request 375, merged February 2026; in
  the 4.14 release in use, ``platformdirs/macos.py`` declares ``class MacOS(XDGMixin,
  _MacOSDefaults)``). Developers often export ``XDG_CONFIG_HOME`` or ``XDG_RUNTIME_DIR`` in
  their shell but not in the login session that starts the tray, so the command line would
  write a config the tray never reads, miss the tray's socket and take a lock of its own (two
  trays). The paths are therefore spelled out here, the same in every process:
  ``~/Library/Application Support/token-tray`` (settings), ``~/Library/Logs/token-tray`` (log)
  and ``~/Library/Caches/TemporaryItems/token-tray`` (socket and lock), which are platformdirs'
  own macOS defaults.
* **Elsewhere: platformdirs.** On Windows there are no such variables to disagree about; on
  Linux the XDG variables are the platform's own rule (the runtime folder has its own checks in
  :func:`tray_app.ipc.protocol.runtime_dir`).
* Import-light (``os`` and ``sys``): the command line's fast path reaches this on macOS.
"""

from __future__ import annotations

import os
import sys

from tray_app.identity import APP_ID

MAC_BASES = {
    "config": "Library/Application Support",
    "log": "Library/Logs",
    "runtime": "Library/Caches/TemporaryItems",
}


def user_folder(kind: str, *, platform: str | None = None, home: str | None = None) -> str:
    """The per-user folder of ``kind`` (``config``, ``log`` or ``runtime``) for this app."""
    if (platform or sys.platform) == "darwin":
        base = home if home is not None else os.path.expanduser("~")
        return os.path.join(base, MAC_BASES[kind], APP_ID)
    import platformdirs  # lazily: it costs start-up time on the command line's fast path

    if kind == "config":
        return platformdirs.user_config_dir(APP_ID, appauthor=False)
    if kind == "log":
        return platformdirs.user_log_dir(APP_ID, appauthor=False)
    return platformdirs.user_runtime_dir(APP_ID, appauthor=False)
