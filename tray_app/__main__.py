"""``python -m tray_app`` runs the same entry point as the ``token-tray`` command."""

from tray_app.cli.fast import main

if __name__ == "__main__":
    raise SystemExit(main())
