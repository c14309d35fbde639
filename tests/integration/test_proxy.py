"""Loopback traffic never goes through a proxy from the environment (it carries a secret in
clear text when the URL is plain http); other hosts still use it.

A tiny loopback "proxy" records the first line of every connection it receives and answers 502.
The token request and discovery to the loopback servers must reach them directly and leave the
proxy untouched; a request to another host must show up at the proxy (so the proxy is really
in effect and the first check could fail).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Cli
from tests.support.issuer import OIDC, IssuerServer
from tests.support.tokenserver import TokenServer
from tray_app.core.discovery import DiscoveryClient
from tray_app.core.errors import AppError
from tray_app.core.oauth import TokenClient

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


class RecordingProxy:
    """Accepts connections on loopback, records each request line, answers 502."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                first = conn.recv(4096).split(b"\r\n", 1)[0]
                self.lines.append(first.decode("latin-1"))
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    with RecordingProxy() as running:
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, running.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield running


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_token_request_bypasses_the_proxy(proxy: RecordingProxy, host: str) -> None:
    with TokenServer("standard") as server:
        url = server.token_url.replace("127.0.0.1", host)
        client = TokenClient()
        try:
            token = client.fetch(server.profile(token_url=url), server.client_secret)
        finally:
            client.close()
        assert token.access_token in server.issued_tokens
    assert proxy.lines == []


def test_discovery_of_a_loopback_issuer_bypasses_the_proxy(proxy: RecordingProxy) -> None:
    with IssuerServer("standard") as issuer:
        issuer.publish(OIDC, issuer.metadata())
        found = DiscoveryClient().discover(issuer.base_url, timeout=5)
        assert found.token_endpoint == issuer.token_url
    assert proxy.lines == []


def test_another_host_still_goes_through_the_proxy(proxy: RecordingProxy) -> None:
    client = TokenClient()
    with TokenServer("standard") as server:
        profile = server.profile(token_url="https://auth.example.com/oauth/token", timeout=5)
        with pytest.raises(AppError) as failed:
            client.fetch(profile, server.client_secret)
    client.close()
    assert failed.value.title == "Proxy problem"
    assert [line.rsplit(" ", 1)[0] for line in proxy.lines] == ["CONNECT auth.example.com:443"]


def test_the_command_line_does_not_send_the_secret_to_the_proxy(
    proxy: RecordingProxy, tmp_path: Path
) -> None:
    cli = Cli(tmp_path)
    with TokenServer("standard") as server:
        cli.save(server.profile(name="Local"), server.client_secret)
        env = dict.fromkeys(PROXY_VARIABLES, proxy.url)
        result = cli.run("token", **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() in server.issued_tokens
    assert proxy.lines == []
