"""What a running Token Tray does without a display: QtCore only, no widget or
painting module.

The tray and the headless agent both run these services.
"""
