"""The demo mode's token server: a tiny OAuth 2.0 endpoint on 127.0.0.1, standard library only.

``token-tray --demo`` talks to this instead of a real provider, so anyone can watch Token Tray
work before they have credentials. It is a real HTTP server in a daemon thread:

* ``POST /oauth/token`` — RFC 6749 client credentials (form body; Basic header or body
  credentials). It issues JWT-shaped tokens (HMAC-signed with a key that lives only in this
  process) valid for :data:`DEMO_LIFETIME` seconds — short, so the refresh is visible.
* ``GET /api/me`` — a protected resource that answers only to a valid token it issued, so the
  copied curl command works.
* ``GET /.well-known/openid-configuration`` — its metadata, so Discover can be tried as well.

It listens on loopback only and holds nothing on disk. The clock is injected (tests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus

DEMO_LIFETIME = 120
DEMO_CLIENT_ID = "token-tray-demo"
DEMO_SCOPE = "demo.read"
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a password
API_PATH = "/api/me"
METADATA_PATH = "/.well-known/openid-configuration"
_MAX_BODY = 64 * 1024
Answer = tuple[int, dict[str, Any]]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class DemoTokenServer:
    """A loopback token endpoint for demo mode; :meth:`start` it, :meth:`stop` it."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        lifetime: int = DEMO_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = DEMO_CLIENT_ID
        self.client_secret = secret or secrets.token_urlsafe(32)
        self.lifetime = lifetime
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._issued: dict[str, float] = {}
        self.token_requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.demo = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    @property
    def api_url(self) -> str:
        return self.base_url + API_PATH

    def start(self) -> DemoTokenServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="demo-token-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    # -- answers (called from the server's threads) --------------------------------------------

    def token_answer(self, headers: dict[str, str], body: bytes) -> Answer:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        credentials = decode_basic(headers.get("authorization", "")) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        wanted = (self.client_id, self.client_secret)
        if not all(hmac.compare_digest(a, b) for a, b in zip(credentials, wanted, strict=True)):
            return 401, {"error": "invalid_client", "error_description": "Unknown demo client"}
        with self._lock:
            self.token_requests += 1
        return 200, {
            "access_token": self._issue(),
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": DEMO_SCOPE,
        }

    def api_answer(self, headers: dict[str, str]) -> Answer:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        with self._lock:
            expires = self._issued.get(token.strip())
        if scheme.lower() == "bearer" and expires is not None and expires > self.clock():
            return 200, {"message": "Hello from the Token Tray demo API. Your token works."}
        return 401, {"error": "invalid_token"}

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.base_url,
            "token_endpoint": self.token_url,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "grant_types_supported": ["client_credentials"],
        }

    def _issue(self) -> str:
        now = int(self.clock())
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "iss": self.base_url,
            "sub": self.client_id,
            "aud": self.api_url,
            "scope": DEMO_SCOPE,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_hex(8),
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{_b64(signature)}"
        with self._lock:
            self._issued[token] = now + self.lifetime
        return token


def decode_basic(value: str | None) -> tuple[str, str] | None:
    """``Basic base64(urlencode(id):urlencode(secret))`` → (id, secret), or ``None``."""
    scheme, _, encoded = (value or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        pair = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = pair.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if sep else None


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    @property
    def demo(self) -> DemoTokenServer:
        demo: DemoTokenServer = self.server.demo  # type: ignore[attr-defined]
        return demo

    def _headers(self) -> dict[str, str]:
        return {key.lower(): value for key, value in self.headers.items()}

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), _MAX_BODY)
        body = self.rfile.read(length) if length else b""
        if self.path.split("?")[0] == TOKEN_PATH:
            self._send(*self.demo.token_answer(self._headers(), body))
        else:
            self._send(404, {"error": "not_found"})

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == API_PATH:
            self._send(*self.demo.api_answer(self._headers()))
        elif path == METADATA_PATH:
            self._send(200, self.demo.metadata())
        else:
            self._send(404, {"error": "not_found"})

    def _send(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr (it would show paths and clients, and clutter the terminal)."""
