"""HTTP plumbing for the token request: a session bound to one TLS context, and plain errors.

Design decisions:

* :func:`mounted_session` mounts an ``HTTPAdapter`` that hands *our* ``ssl.SSLContext`` (the OS
  trust store via truststore, plus a profile's CA bundle) to urllib3 for direct and proxied
  HTTPS, and stops requests from loading certifi or ``REQUESTS_CA_BUNDLE`` into it — so what is
  trusted is exactly what Settings says. Cookies are refused: a token request carries no state.
* :func:`proxies_for` keeps loopback requests away from any proxy (plain http is allowed only
  because loopback traffic never leaves the computer).
* :func:`transport_error` maps every ``requests`` exception to an :class:`AppError` a person can
  act on. Network problems and timeouts are UNAVAILABLE and retryable; TLS problems are
  UNAVAILABLE but not retryable (waiting does not fix a certificate); unusable URLs are USAGE.
  Messages name the host only — never the exception text, which may quote headers or URLs.
* ``requests`` is imported inside the functions so that importing this module stays cheap.
"""

from __future__ import annotations

import http.cookiejar
import socket
import ssl
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tray_app.core.deadline import watch_pools
from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.profile import is_loopback_host

if TYPE_CHECKING:
    import requests

_ADVANCED = "under Advanced in Settings"


def mounted_session(context: ssl.SSLContext) -> requests.Session:
    """A ``requests.Session`` whose HTTPS uses ``context`` and that never stores cookies."""
    import requests

    session = requests.Session()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.mount("https://", _watched_adapter(context))
    session.mount("http://", _watched_adapter())
    return session


def _watched_adapter(context: ssl.SSLContext | None = None) -> requests.adapters.HTTPAdapter:
    """An adapter whose connections obey the exchange's hard :class:`Deadline`; with a
    ``context``, HTTPS uses it and requests' own CA handling is kept out."""
    from requests.adapters import HTTPAdapter

    extra: dict[str, Any] = {} if context is None else {"ssl_context": context}

    class WatchedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **{**kwargs, **extra})
            watch_pools(self.poolmanager)

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            return watch_pools(super().proxy_manager_for(*args, **{**kwargs, **extra}))

        def build_connection_pool_key_attributes(
            self, request: Any, verify: Any, cert: Any = None
        ) -> Any:
            if context is None:
                return super().build_connection_pool_key_attributes(request, verify, cert)
            return super().build_connection_pool_key_attributes(request, True, None)

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            if context is None:
                super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
                return
            conn.cert_reqs = "CERT_REQUIRED"
            conn.ca_certs = None
            conn.ca_cert_dir = None

    return WatchedAdapter()


def proxies_for(url: str) -> dict[str, Any]:
    """The ``proxies`` argument for a request to ``url``: none at all for a loopback host.

    Plain http is allowed only for loopback because the traffic stays on this computer; a
    proxy from the environment (``HTTP_PROXY``, ``ALL_PROXY``) would carry the secret off it in
    clear text. ``None`` values make requests drop the environment's entries; for other hosts
    the environment's proxies apply as usual.
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        host = ""
    return dict.fromkeys(("http", "https", "all"), None) if is_loopback_host(host) else {}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it wraps (args, urllib3 ``reason``, causes), breadth first."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 16:
        item = todo.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        linked = [*item.args, getattr(item, "reason", None), item.__cause__, item.__context__]
        todo += [link for link in linked if isinstance(link, BaseException)]


def _find(exc: BaseException, kind: type[BaseException] | str) -> BaseException | None:
    for item in _chain(exc):
        if isinstance(kind, str) and type(item).__name__ == kind:
            return item
        if isinstance(kind, type) and isinstance(item, kind):
            return item
    return None


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def _error(title: str, message: str, *, retryable: bool = True) -> AppError:
    return AppError(ErrorKind.UNAVAILABLE, title, message, retryable=retryable)


def transport_error(exc: BaseException, host: str, timeout: float) -> AppError:
    """The :class:`AppError` for a ``requests`` exception raised while talking to ``host``."""
    import requests.exceptions as rex

    if isinstance(exc, rex.SSLError):
        return tls_error(exc, host)
    if isinstance(exc, rex.ProxyError):
        return _error(
            "Proxy problem",
            "The proxy server set on this computer (HTTPS_PROXY) did not let the request "
            "through. Check the proxy settings.",
        )
    if isinstance(exc, rex.Timeout) or _find(exc, "ReadTimeoutError"):
        return no_answer(host, timeout)
    if isinstance(exc, rex.ConnectionError):
        return connection_error(exc, host)
    return _request_error(exc, host)


def no_answer(host: str, timeout: float) -> AppError:
    """No answer (not even its first line) within the timeout."""
    return _error(
        "Token server did not answer",
        f"{host} did not answer within {_seconds(timeout)}. Check your internet "
        f"connection, or raise the timeout {_ADVANCED}.",
    )


def _request_error(exc: BaseException, host: str) -> AppError:
    import requests.exceptions as rex

    if isinstance(exc, rex.ChunkedEncodingError | rex.ContentDecodingError):
        return _error(
            "Answer broken off",
            f"The connection to {host} broke before the answer was complete. Try again.",
        )
    if isinstance(exc, rex.InvalidURL | rex.MissingSchema | rex.InvalidSchema | rex.URLRequired):
        return AppError(
            ErrorKind.USAGE,
            "Invalid token URL",
            "Token Tray cannot use this Token URL. Check it in Settings.",
        )
    return _error("Request failed", f"The request to {host} failed. Try again.")


def connection_error(exc: BaseException, host: str) -> AppError:
    """No connection at all: unknown name, refused, or unreachable."""
    if _find(exc, socket.gaierror) or _find(exc, "NameResolutionError"):
        return _error(
            "Server not found",
            f"Token Tray cannot find the server “{host}”. Check your internet connection; if "
            "you typed the Token URL yourself, check it for a typo.",
        )
    if _find(exc, ConnectionRefusedError):
        return _error(
            "Cannot reach the token server",
            f"{host} refused the connection. Check the Token URL (and its port) in Settings, "
            "or try again later.",
        )
    return _error(
        "Cannot reach the token server",
        f"Token Tray could not connect to {host}. Check your internet connection.",
    )


def tls_error(exc: BaseException, host: str) -> AppError:
    """A certificate or TLS handshake problem, explained (never retried automatically)."""
    found = _find(exc, ssl.SSLCertVerificationError)
    detail = str(getattr(found, "verify_message", "") or found).lower() if found is not None else ""
    if "hostname mismatch" in detail or "doesn't match" in detail or "not valid for" in detail:
        title = "Certificate name mismatch"
        message = f"The certificate of {host} was issued for a different name. Check the Token URL."
    elif "expired" in detail:
        title = "Certificate expired"
        message = f"The certificate of {host} has expired (or this computer's clock is wrong)."
    elif found is not None:
        title = "Untrusted certificate"
        message = (
            f"This computer does not trust the certificate of {host}. If your company uses "
            "its own certificates, ask your IT team for the certificate file (.pem) and "
            f"choose it as CA bundle {_ADVANCED}."
        )
    else:
        title = "Secure connection failed"
        message = (
            f"Token Tray could not set up a secure connection to {host}. Check that the Token "
            "URL is right (https:// and the right port)."
        )
    return _error(title, message, retryable=False)
