"""What a running Token Tray does without a display: QtCore only (never QtWidgets or QtGui).

The tray and the headless agent both run these services.
"""
