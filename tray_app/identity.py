"""The application's names, spelled once.

Everything that names the app — windows, notifications, the command, folders, the password
storage entry, the socket, the desktop entry, the start-at-login entry — takes its name from
here, so a rename or a fork changes one file. Imports nothing: the fast ``token`` path reads it.
"""

DISPLAY_NAME = "Token Tray"
"""What people read: window titles, notifications, the start-at-login entry."""

APP_ID = "token-tray"
"""The machine name: config, log and runtime folders, socket, desktop file, lock file."""

PROG = APP_ID
"""The command's name, as typed and as shown in help and error messages."""

KEYRING_SERVICE = APP_ID
"""The password-storage service name under which client secrets are kept (never change it:
existing users' secrets are stored under it)."""
