"""``token-tray status`` (what the running tray or agent holds) and ``token-tray agent``.

``status`` asks the running Token Tray over :mod:`tray_app.ipc.protocol`: every profile's state and
how long its token stays valid — never a token. ``--json`` prints ``{"format":
"token-tray-status", "version": 1, "running": bool, "demo": bool, "profiles": [{"name", "id",
"default", "state", "expires_at" (ISO 8601 UTC or null), "expires_in", "error"}]}``; the
version changes only when a key changes meaning or goes away (new keys may appear). With
nothing running it says so and exits ``NOT_RUNNING_EXIT`` (6, outside the error codes 1-5, as
``systemctl is-active`` has its own): ``if token-tray status >/dev/null`` tests for a running
tray. ``"demo": true`` (and a line before the table) when the running tray is the demo.
``agent`` starts :mod:`tray_app.runtime.agent` (PySide6 is imported only then).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tray_app.cli.common import command, say
from tray_app.cli.help_texts import NO_PROFILE
from tray_app.core.formats import iso_utc
from tray_app.core.status import format_remaining
from tray_app.ipc import client as ipc_client

if TYPE_CHECKING:
    from tray_app.cli.common import Subparsers

JSON_FORMAT = "token-tray-status"
JSON_VERSION = 1
NOT_RUNNING_EXIT = 6
NOT_RUNNING = (
    "Token Tray is not running. Start it with `token-tray` (or `token-tray agent` where there "
    "is no desktop); until then `token-tray token` fetches tokens directly."
)
STATUS_EPILOG = f"""\
Exit code 0 when Token Tray (or `token-tray agent`) runs, {NOT_RUNNING_EXIT} when nothing runs.
--json carries "format": "{JSON_FORMAT}" and "version": {JSON_VERSION}.
"""
DEMO_RUNNING = (
    "Token Tray is running the demo: its tokens come from a built-in test server and nothing is "
    "kept. `token-tray token` still fetches from your own profiles. To use them in the tray, "
    "choose “Leave the demo” in its menu."
)
AGENT_EPILOG = """\
For SSH sessions, WSL, servers and desktops without a system tray: the agent keeps the tokens
of your profiles fresh without any window, and `token-tray token` / `token-tray status` ask it
just as they ask the tray. Stop it with Ctrl-C or `kill` (SIGTERM).

examples:
  token-tray agent &
  systemd-run --user --unit token-tray token-tray agent
"""
STATES = {
    "no token": "not started",
    "fetching": "getting a token",
    "valid": "valid",
    "refreshing": "refreshing",
    "failed": "failed",
    "expired": "expired",
}


def add_status_commands(commands: Subparsers) -> None:
    status = command(
        commands, "status", "show what the running Token Tray holds (no tokens)", STATUS_EPILOG
    )
    status.add_argument("--json", action="store_true", help="print JSON for programs")
    status.set_defaults(handler=cmd_status)
    agent = command(commands, "agent", "run without a window or tray (SSH, WSL)", AGENT_EPILOG)
    agent.set_defaults(handler=cmd_agent)


def _row(entry: dict[str, Any]) -> tuple[str, ...]:
    expires_in = entry.get("expires_in")
    valid_for = format_remaining(expires_in) if isinstance(expires_in, int | float) else "-"
    state = STATES.get(str(entry.get("state")), str(entry.get("state")))
    note = str(entry.get("error") or "")
    return ("*" if entry.get("default") else "", str(entry.get("name")), state, valid_for, note)


def status_table(entries: list[dict[str, Any]]) -> str:
    """The profiles as aligned columns, the default one marked ``*``."""
    rows = [("", "PROFILE", "STATE", "VALID FOR", "PROBLEM"), *(_row(e) for e in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)


def _json_entry(entry: dict[str, Any]) -> dict[str, Any]:
    expires_at = entry.get("expires_at")
    return {
        "name": entry.get("name"),
        "id": entry.get("id"),
        "default": bool(entry.get("default")),
        "state": entry.get("state"),
        "expires_at": iso_utc(expires_at) if isinstance(expires_at, int | float) else None,
        "expires_in": entry.get("expires_in"),
        "error": entry.get("error"),
    }


def _json_document(
    *, running: bool, entries: list[dict[str, Any]], demo: bool = False
) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "running": running,
        "demo": demo,
        "profiles": [_json_entry(e) for e in entries],
    }


def cmd_status(args: argparse.Namespace) -> int:
    try:
        entries, demo = ipc_client.request_state()
    except ipc_client.TrayNotRunning:
        if args.json:
            print(json.dumps(_json_document(running=False, entries=[]), indent=2))
        else:
            say(NOT_RUNNING)
        return NOT_RUNNING_EXIT
    if args.json:
        document = _json_document(running=True, entries=entries, demo=demo)
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if demo:
        say(DEMO_RUNNING)
    if entries:
        print(status_table(entries))
    else:
        say(f"Token Tray is running but has no profile yet. {NO_PROFILE}")
    return 0


def cmd_agent(args: argparse.Namespace) -> int:
    from tray_app.runtime.agent import run_agent  # lazy: PySide6 only when the agent starts

    return run_agent()
