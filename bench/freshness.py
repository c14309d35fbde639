"""Benchmark 7: freshness — is an expired token ever handed out?

In a private world (bench/common.py: own folders, real gnome-keyring, Xvfb, trayer) a loopback
token server issues tokens that live 20 s, and ``token-tray`` runs with one profile for 10
minutes (``--minutes``). Every second the benchmark

* runs ``token-tray token --min-valid 5`` (a script asking for a token good for 5 more s; the
  default ``--min-valid`` of 60 s cannot be met by 20 s tokens), and
* left-clicks the tray icon (the default left-click copies the token) and reads the X
  clipboard,

and asks the server whether the token it got had already expired at that moment. Target: 0
expired tokens. Failed calls (no token at all) are counted and printed too.

Run: ``make bench`` (10 minutes) or ``.venv/bin/python bench/freshness.py --minutes 1``.
"""

from __future__ import annotations

import argparse
import subprocess
import time

from common import (
    Result,
    all_valid,
    header,
    report,
    save_profiles,
    spawn,
    stop,
    token_tray_command,
    wait_for,
    world,
)
from xwatch import IconWatch

from tests.support.tokenserver import TokenServer
from tests.support.xdesktop import Desktop

LIFETIME = 20
START_TIMEOUT = 60.0


class Tally:
    def __init__(self) -> None:
        self.served = {"token": 0, "copy": 0}
        self.expired = {"token": 0, "copy": 0}
        self.failed = {"token": 0, "copy": 0}

    def check(self, kind: str, token: str | None, server: TokenServer) -> None:
        expires_at = server.expires_at(token) if token else None
        if expires_at is None:
            self.failed[kind] += 1
            return
        self.served[kind] += 1
        if expires_at <= time.time():
            self.expired[kind] += 1


def ask_token(env: dict[str, str]) -> str | None:
    result = subprocess.run(
        [*token_tray_command(), "token", "--min-valid", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def copy_token(desktop: Desktop, icon: str) -> str | None:
    desktop.click(icon, 1)
    time.sleep(0.1)  # let the tray handle the click before reading the clipboard
    text = desktop.clipboard()
    return text.strip() if text else None


def run(env: dict[str, str], server: TokenServer, minutes: float, tally: Tally) -> None:
    desktop = Desktop(env)
    watch = IconWatch(env["DISPLAY"])
    app = spawn(token_tray_command(), env)
    try:
        if watch.wait_mapped(app.pid, START_TIMEOUT) is None:
            raise RuntimeError("token-tray showed no icon")
        wait_for(lambda: all_valid(env, 1), START_TIMEOUT, "token-tray to hold a token")
        icon = desktop.tray_icon_of(app.pid)
        if icon is None:
            raise RuntimeError("the tray icon window was not found")
        end = time.monotonic() + minutes * 60
        while time.monotonic() < end:
            second = time.monotonic() + 1
            tally.check("token", ask_token(env), server)
            tally.check("copy", copy_token(desktop, icon), server)
            time.sleep(max(0.0, second - time.monotonic()))
    finally:
        stop(app)
        watch.close()
        desktop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    minutes = parser.parse_args().minutes
    header(f"7. freshness: {minutes:g} min, {LIFETIME} s tokens")
    tally = Tally()
    with (
        TokenServer("standard", expires_in=LIFETIME, keep_alive=True) as server,
        world("fresh") as env,
    ):
        save_profiles(env, server.token_url, server.client_id, server.client_secret, 1)
        run(env, server, minutes, tally)
        issued = server.request_count
    for kind in ("token", "copy"):
        print(
            f"  {kind}: {tally.served[kind]} tokens served, {tally.expired[kind]} expired, "
            f"{tally.failed[kind]} calls without a token"
        )
    print(f"  token server: {issued} tokens issued")
    expired = sum(tally.expired.values())
    failed = sum(tally.failed.values())
    value = f"{expired} expired of {sum(tally.served.values())} served"
    if failed:
        value += f" ({failed} calls got no token)"
    report(Result("7. freshness, expired tokens", value, None, None, "0", expired == 0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
