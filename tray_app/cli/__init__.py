"""The ``token-tray`` command line; no Qt.

Kept empty on purpose: :mod:`tray_app.cli.fast` answers ``token`` before argparse loads.
"""
