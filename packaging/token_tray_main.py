"""The bundle's entry script: the same entry point as the installed ``token-tray`` command."""

from tray_app.cli.fast import main

raise SystemExit(main())
