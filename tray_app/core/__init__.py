"""Display-free core of Token Tray. Nothing below this package may import PySide6."""
