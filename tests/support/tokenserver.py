"""A real loopback OAuth 2.0 token endpoint for tests (and for desktop/subprocess tests via -m).

Two behaviours, chosen by ``mode``:

* ``seed`` — like the Tarkov Database identity service: JSON bodies only (anything else gets
  415 ``{"code": 415, "message": …}``), malformed JSON 400 ``{"code": 400, …}``, missing fields
  422 ``{"code": 422, …}``, wrong grant 400 ``{"error": "unsupported_grant_type"}``, wrong
  credentials 401 ``{"error": "invalid_client"}``; a Basic header is ignored; the answer is
  ``{"access_token", "token_type": "bearer", "expires_in": 1800}``.
* ``standard`` — RFC 6749: form bodies, client authentication by Basic header (decoded with
  §2.3.1 ``unquote_plus``) or body parameters (each can be switched off), never both;
  ``invalid_client`` is a 401 with ``WWW-Authenticate``; the answer says ``"Bearer"``.

Scripted answers (:meth:`TokenServer.script`) are served, in order, to token requests before the
normal behaviour resumes: malformed answers, 5xx, redirects, slow answers. ``GET /api/me`` is a
protected resource that answers 200 only to ``Authorization: Bearer <token>`` with a token this
server issued and that has not expired (by the server's ``clock``). Every request is recorded,
and so is every TCP connection (:attr:`TokenServer.connections`: with keep-alive, the default,
reuse shows as fewer connections than requests). ``delay`` makes every token answer wait (the
benchmark of 100 profiles against a server answering after 1 s).

Run standalone: ``python -m tests.support.tokenserver --mode seed --port 0 --print-url`` prints
the token URL on one line and serves until killed; ``/api/me`` lives on the same origin.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import json
import secrets
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.tokenserver_rules import (
    SEED_NOT_FOUND,
    Answer,
    RecordedRequest,
    decode_basic,
    make_jwt,
    seed_answer,
    standard_answer,
)
from tray_app.core.profile import BodyFormat, ClientAuth, Profile

__all__ = [
    "API_PATH",
    "SEED_CLIENT_ID",
    "SEED_CLIENT_SECRET",
    "STANDARD_CLIENT_ID",
    "STANDARD_CLIENT_SECRET",
    "RecordedRequest",
    "Scripted",
    "TokenServer",
    "decode_basic",
    "make_certificate",
    "make_jwt",
]

SEED_CLIENT_ID = "0b2f1e4c-6a51-4f0e-9d3a-6c1f2b7e8a90"
SEED_CLIENT_SECRET = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
STANDARD_CLIENT_ID = "standard-client"
STANDARD_CLIENT_SECRET = "standard-secret"
API_PATH = "/api/me"
_TOKEN_PATHS = {"seed": "/v1/oauth/token", "standard": "/oauth/token"}
_LIFETIMES = {"seed": 1800, "standard": 3600}
_MAX_REQUEST_BODY = 4 * 1024 * 1024
TRICKLE_INTERVAL = 0.25
TRICKLES = ("headers", "body")


@dataclasses.dataclass(frozen=True)
class Scripted:
    """One canned answer: ``delay`` before the status line, ``body_delay`` before the body."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    body_delay: float = 0.0
    reset: bool = False
    """Answer nothing: reset the connection (TCP RST) as soon as the request has arrived."""
    trickle: str = ""
    """``headers`` or ``body``: send that part one byte every :data:`TRICKLE_INTERVAL` seconds,
    forever — each receive succeeds, so only a deadline on the whole exchange ends it."""

    @classmethod
    def json(cls, status: int, data: Any, **kwargs: Any) -> Scripted:
        """A JSON answer (``Content-Type: application/json``)."""
        headers = (("Content-Type", "application/json"), *kwargs.pop("headers", ()))
        return cls(status, json.dumps(data).encode(), headers, **kwargs)


def make_certificate(
    folder: Path, names: tuple[str, ...] = ("127.0.0.1", "localhost"), stem: str = "server"
) -> tuple[Path, Path]:
    """Write a self-signed certificate for ``names`` and its key; return (cert, key) paths.

    Pass the pair as ``TokenServer(tls=...)``; the certificate file doubles as a CA bundle.
    """
    sans = ",".join(f"IP:{n}" if n[0].isdigit() else f"DNS:{n}" for n in names)
    cert, key = folder / f"{stem}.crt", folder / f"{stem}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=Token Tray test", "-addext", f"subjectAltName={sans}"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: TokenServer
    tls: ssl.SSLContext | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that broke (reset, client timeout) is part of the tests, not an error."""
        if not isinstance(sys.exc_info()[1], OSError | ValueError):
            super().handle_error(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        self.owner.count_connection(request)
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with wrapped:
            super().finish_request(wrapped, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        if self.server.owner.keep_alive:  # HTTP/1.1: the connection stays open between requests
            self.protocol_version = "HTTP/1.1"
        super().setup()

    def do_GET(self) -> None:
        self.server.owner.handle(self)

    def do_POST(self) -> None:
        self.server.owner.handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""


class TokenServer:
    """A loopback token endpoint; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        mode: str = "standard",
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        expires_in: int | str | None = None,
        omit_expires_in: bool = False,
        accept_basic: bool = True,
        accept_body: bool = True,
        allowed_scopes: frozenset[str] | None = None,
        token_factory: Callable[[], str] | None = None,
        token_path: str | None = None,
        clock: Callable[[], float] = time.time,
        tls: tuple[Path, Path] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
        keep_alive: bool = True,
        trickle: str = "",
    ) -> None:
        if mode not in _TOKEN_PATHS:
            raise ValueError(f"mode must be 'seed' or 'standard', not {mode!r}")
        seed = mode == "seed"
        self.mode = mode
        self.client_id = client_id or (SEED_CLIENT_ID if seed else STANDARD_CLIENT_ID)
        self.client_secret = client_secret or (
            SEED_CLIENT_SECRET if seed else STANDARD_CLIENT_SECRET
        )
        default = _LIFETIMES[mode] if expires_in is None else expires_in
        self.expires_in: int | str | None = None if omit_expires_in else default
        self.accept_basic = accept_basic
        self.accept_body = accept_body
        self.allowed_scopes = allowed_scopes
        self.token_factory = token_factory or (lambda: secrets.token_urlsafe(32))
        self.token_path = token_path or _TOKEN_PATHS[mode]
        self.clock = clock
        self.delay = delay
        """Seconds every (unscripted) token answer waits before it is sent (a slow server)."""
        self.keep_alive = keep_alive
        """Speak HTTP/1.1 and keep connections open, as real token servers do (off: HTTP/1.0,
        one connection per request)."""
        self.trickle = trickle
        """Trickle every (unscripted) token answer (see :attr:`Scripted.trickle`)."""
        self.outage = False
        """While True every token request is answered 503 ``temporarily_unavailable`` (the
        server is down for maintenance); set it back to False and the server is back."""
        self._connections = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._script: deque[Scripted] = deque()
        self._requests: list[RecordedRequest] = []
        self._issued: dict[str, float] = {}
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        self._server.tls = _server_context(tls) if tls else None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> TokenServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the ``-m`` entry point)."""
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def stop(self) -> None:
        """Stop serving, wake any scripted delay, close the socket."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self._drop_connections()

    def __enter__(self) -> TokenServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and helpers for tests --------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        scheme = "https" if self._server.tls else "http"
        return f"{scheme}://{host!s}:{port}"

    @property
    def token_url(self) -> str:
        return self.base_url + self.token_path

    @property
    def api_url(self) -> str:
        return self.base_url + API_PATH

    def profile(self, **changes: Any) -> Profile:
        """A profile that obtains a token here (seed: JSON body; standard: form + Basic)."""
        seed = self.mode == "seed"
        values: dict[str, Any] = {
            "name": "Seed" if seed else "Standard",
            "token_url": self.token_url,
            "client_id": self.client_id,
            "body_format": BodyFormat.JSON if seed else BodyFormat.FORM,
            "client_auth": ClientAuth.BODY if seed else ClientAuth.BASIC,
            "api_url": self.api_url,
        }
        values.update(changes)
        return Profile(**values)

    def script(self, *answers: Scripted) -> None:
        """Queue canned answers for the next token requests."""
        with self._lock:
            self._script.extend(answers)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return self.requests_to(self.token_path)

    @property
    def request_count(self) -> int:
        """How many requests reached the token path."""
        return len(self.token_requests)

    @property
    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._issued)

    @property
    def connections(self) -> int:
        """How many TCP connections clients have opened (keep-alive reuses one)."""
        with self._lock:
            return self._connections

    @property
    def open_connections(self) -> int:
        """How many of them are still open (the server closes its side once the client has)."""
        with self._lock:
            return sum(1 for sock in self._open if sock.fileno() != -1)

    def count_connection(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections += 1
            self._open.append(sock)

    def _drop_connections(self) -> None:
        """A stopped server closes its kept-alive connections, as a real one going down does."""
        with self._lock:
            open_sockets, self._open = self._open, []
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def expires_at(self, token: str) -> float | None:
        """When this server's ``token`` expires (by its ``clock``); None if it never issued it."""
        with self._lock:
            return self._issued.get(token)

    def revoke_all(self) -> None:
        """Forget every issued token (``/api/me`` then answers 401)."""
        with self._lock:
            self._issued.clear()

    # -- request handling (runs in the server's threads) -------------------------------------

    def handle(self, handler: _Handler) -> None:
        length = min(int(handler.headers.get("Content-Length") or 0), _MAX_REQUEST_BODY)
        body = handler.rfile.read(length) if length else b""
        path = handler.path.split("?")[0]
        record = RecordedRequest(
            handler.command, handler.path, tuple(handler.headers.items()), body
        )
        with self._lock:
            self._requests.append(record)
            scripted = self._script.popleft() if path == self.token_path and self._script else None
        if scripted is not None:
            self._send_scripted(handler, scripted)
        elif path == self.token_path and handler.command == "POST" and self.trickle:
            self._trickle(handler, self.trickle)
        elif path == self.token_path and self.outage:
            self._send(handler, 503, {"error": "temporarily_unavailable"}, {})
        elif path == self.token_path and handler.command == "POST":
            if self.delay and self._stopping.wait(self.delay):
                return
            self._send(handler, *self._token_answer(record))
        elif path == API_PATH and handler.command == "GET":
            self._send(handler, *self._api_answer(record))
        else:
            self._send(handler, *self._not_found(path))

    def _not_found(self, path: str) -> Answer:
        if self.mode == "seed" and path != self.token_path:
            return SEED_NOT_FOUND
        return 404 if path != self.token_path else 405, {"error": "not_found"}, {}

    def _token_answer(self, request: RecordedRequest) -> Answer:
        return seed_answer(self, request) if self.mode == "seed" else standard_answer(self, request)

    def issue(self, scope: str | None = None, *, bearer: str = "Bearer") -> Answer:
        """Issue a fresh token and build the success answer."""
        token = self.token_factory()
        lifetime = _lifetime(self.expires_in)
        with self._lock:
            self._issued[token] = self.clock() + lifetime
        data: dict[str, Any] = {"access_token": token, "token_type": bearer}
        if self.expires_in is not None:
            data["expires_in"] = self.expires_in
        if scope:
            data["scope"] = scope
        return 200, data, {"Cache-Control": "no-store", "Pragma": "no-cache"}

    def _api_answer(self, request: RecordedRequest) -> Answer:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        with self._lock:
            expires_at = self._issued.get(token.strip())
        if scheme.lower() == "bearer" and expires_at is not None and expires_at > self.clock():
            return 200, {"client_id": self.client_id, "ok": True}, {}
        challenge = 'Bearer error="invalid_token"'
        return 401, {"error": "invalid_token"}, {"WWW-Authenticate": challenge}

    def _send_scripted(self, handler: _Handler, answer: Scripted) -> None:
        if answer.reset:
            _reset(handler)
            return
        if answer.trickle:
            self._trickle(handler, answer.trickle)
            return
        if answer.delay and self._stopping.wait(answer.delay):
            return
        headers = dict(answer.headers)
        if not any(k.lower() == "content-length" for k in headers):
            headers["Content-Length"] = str(len(answer.body))
        self._write(handler, answer.status, headers, answer.body, answer.body_delay)

    def _send(self, handler: _Handler, status: int, data: Any, headers: dict[str, str]) -> None:
        body = json.dumps(data).encode()
        all_headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        self._write(handler, status, {**all_headers, **headers}, body, 0.0)

    def _write(
        self, handler: _Handler, status: int, headers: dict[str, str], body: bytes, pause: float
    ) -> None:
        try:
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.flush()
            if pause and self._stopping.wait(pause):
                return
            handler.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout, size cap): nothing left to tell it

    def _trickle(self, handler: _Handler, part: str) -> None:
        """Send ``part`` (headers or body) a byte at a time until the client or server quits."""
        if part not in TRICKLES:
            raise ValueError(f"trickle must be one of {TRICKLES}, not {part!r}")
        handler.close_connection = True
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if part == "body":
            head += b"Content-Length: 100000\r\n\r\n" + b'{"access_token": "'
        else:
            head += b"X-Slow: "
        try:
            handler.wfile.write(head)
            handler.wfile.flush()
            while not self._stopping.wait(TRICKLE_INTERVAL):
                handler.wfile.write(b"a")
                handler.wfile.flush()
        except OSError:
            pass  # the client cut the connection: what it should do


def _reset(handler: _Handler) -> None:
    """Close the connection with SO_LINGER 0, which sends a TCP RST instead of a FIN."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def _lifetime(expires_in: int | str | None) -> float:
    try:
        return float(expires_in) if expires_in is not None else 3600.0
    except ValueError:
        return 3600.0


def _server_context(cert_and_key: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert_and_key)
    return context


def main(argv: list[str] | None = None) -> int:
    """Serve until killed; ``--print-url`` prints the token URL first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mode", choices=sorted(_TOKEN_PATHS), default="standard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    parser.add_argument("--expires-in", type=int)
    parser.add_argument("--omit-expires-in", action="store_true")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--trickle", choices=TRICKLES, default="")
    parser.add_argument("--print-url", action="store_true")
    args = parser.parse_args(argv)
    server = TokenServer(
        args.mode,
        client_id=args.client_id,
        client_secret=args.client_secret,
        expires_in=args.expires_in,
        omit_expires_in=args.omit_expires_in,
        host=args.host,
        port=args.port,
        delay=args.delay,
        trickle=args.trickle,
    )
    if args.print_url:
        print(server.token_url, flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
