"""A loopback token server that also publishes metadata documents, for discovery tests.

:class:`IssuerServer` is the real :class:`~tests.support.tokenserver.TokenServer` plus JSON
documents served on ``GET`` (``/.well-known/openid-configuration``, RFC 8414's
``/.well-known/oauth-authorization-server/<path>``); every request is still recorded.
:func:`metadata` builds a typical document for an issuer on this server.
"""

from __future__ import annotations

from typing import Any

from tests.support.tokenserver import RecordedRequest, TokenServer, _Handler

OIDC = "/.well-known/openid-configuration"
RFC8414 = "/.well-known/oauth-authorization-server"


class IssuerServer(TokenServer):
    """A token server with published JSON documents (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._documents: dict[str, tuple[int, Any, dict[str, str]]] = {}

    def __enter__(self) -> IssuerServer:
        self.start()
        return self

    def publish(
        self, path: str, data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Serve ``data`` as JSON (bytes: as they are) with ``status`` (and ``headers``) to
        ``GET path``."""
        with self._lock:
            self._documents[path] = (status, data, headers or {})

    def metadata(self, issuer_path: str = "", **changes: Any) -> dict[str, Any]:
        """A metadata document whose issuer is this server + ``issuer_path``."""
        data: dict[str, Any] = {
            "issuer": self.base_url + issuer_path,
            "token_endpoint": self.token_url,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "grant_types_supported": ["client_credentials"],
        }
        data.update(changes)
        return data

    def handle(self, handler: _Handler) -> None:
        path = handler.path.split("?")[0]
        with self._lock:
            document = self._documents.get(path) if handler.command == "GET" else None
        if document is None:
            super().handle(handler)
            return
        record = RecordedRequest(handler.command, handler.path, tuple(handler.headers.items()), b"")
        with self._lock:
            self._requests.append(record)
        status, data, headers = document
        if isinstance(data, bytes):  # served as is: JSON that json.dumps cannot even produce
            length = {"Content-Type": "application/json", "Content-Length": str(len(data))}
            self._write(handler, status, {**length, **headers}, data, 0.0)
        else:
            self._send(handler, *document)
