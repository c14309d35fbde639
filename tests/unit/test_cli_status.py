"""``token-tray status``'s table says how long a token lasts in the tray's own words."""

from __future__ import annotations

from typing import Any

from tray_app.cli.status import status_table


def test_valid_for_reads_like_the_tray() -> None:
    entries: list[dict[str, Any]] = [
        {"name": "Work", "state": "valid", "expires_in": 7200, "default": True},
        {"name": "Shop", "state": "valid", "expires_in": 1625.9},
        {"name": "Down", "state": "failed", "error": "Server not reachable"},
    ]
    lines = status_table(entries).splitlines()
    assert lines[0].split() == ["PROFILE", "STATE", "VALID", "FOR", "PROBLEM"]
    assert lines[1].split() == ["*", "Work", "valid", "2", "h"]
    assert lines[2].split() == ["Shop", "valid", "27", "min"]
    assert lines[3].split() == ["Down", "failed", "-", "Server", "not", "reachable"]
