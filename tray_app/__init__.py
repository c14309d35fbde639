"""Token Tray: OAuth 2.0 client-credentials tokens, kept fresh in the system tray.

The package is split in two on purpose:

* :mod:`tray_app.core` holds everything that does not need a display (profiles, config, the
  keyring wrapper, the token request, the refresh maths, output formats). It never imports
  PySide6 and is tested without a QApplication.
* :mod:`tray_app.ui` holds the Qt side (token services, tray, settings dialog, clipboard).

:mod:`tray_app.cli` is the single entry point; :mod:`tray_app.app` is the composition root that
wires the pieces together.
"""

__version__ = "0.1.0"
