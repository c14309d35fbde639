"""Token Tray: OAuth 2.0 client-credentials tokens, kept fresh in the system tray.

One package per layer, each allowed to import only the layers above it in this list:

* :mod:`tray_app.core` — profiles, config, password storage, the token request, refresh maths,
  output formats, status and notice texts. No PySide6: tested without a QApplication.
* :mod:`tray_app.ipc` — the local protocol between the command line and a running instance.
* :mod:`tray_app.cli` — the ``token-tray`` command. :mod:`tray_app.cli.fast` is the entry point
  of every command; it answers ``token`` before argparse or Qt load.
* :mod:`tray_app.runtime` — QtCore only: the token services, the command-line server and the
  headless agent.
* :mod:`tray_app.gui` — the widgets; :mod:`tray_app.gui.app` is the tray's composition root.
* :mod:`tray_app.demo`, :mod:`tray_app.diagnostics` — demo mode, the self-test.

``tests/unit/test_layers.py`` keeps these rules.
"""

__version__ = "0.1.0"
