"""The widgets: tray icon and menu, clipboard, notifications, windows."""
