"""The Qt side of Token Tray: token services, tray icon and menu, settings dialog, clipboard."""
