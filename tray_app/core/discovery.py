"""Issuer URL → Token URL and client authentication, from the server's metadata document.

An issuer URL is enough to set up a profile for Okta, Keycloak and most OpenID Connect servers.

Design decisions:

* **Where to look.** First OpenID Connect Discovery (``<issuer>/.well-known/openid-
  configuration``, the issuer's trailing ``/`` removed first), then RFC 8414 (``/.well-known/
  oauth-authorization-server`` inserted between the host and the issuer's path). A 404 (or any
  answer that is not a JSON object) moves on to the next address; network and TLS failures stop
  at once, since the next address is on the same server.
* **The document must name the same issuer** (OIDC Discovery §4.3, RFC 8414 §3.3): a document
  for another issuer is refused, so a mix-up never sends the secret to the wrong server. A
  difference of only a trailing ``/`` is accepted (``https://x.auth0.com/`` vs. what was typed):
  it names the same place, and people type issuers both ways.
* **Same URL and TLS rules as token requests**: the issuer and the ``token_endpoint`` must pass
  :func:`~tray_app.core.profile.url_problem` (https, plain http only for loopback), TLS goes
  through the same OS trust store or CA bundle (:func:`~tray_app.core.oauth.trust_context`), no
  redirects are followed, the answer is capped at 1 MiB, the whole exchange is bounded by the
  timeout, and a loopback issuer is never reached through a proxy.
* **Client authentication** from ``token_endpoint_auth_methods_supported``: Basic when listed
  (the standard), else the body when ``client_secret_post`` is listed; omitted means Basic
  (RFC 8414 §2). A server that takes no secret but a signed key (``private_key_jwt``) or a
  client certificate (``tls_client_auth``) gets that method; one that lists none of these is
  said plainly. What it lists, and its ``token_endpoint_auth_signing_alg_values_supported``,
  are kept, so a profile that already uses a key is checked against them
  (:meth:`Discovery.key_method_problem`, :meth:`Discovery.pick_signing_alg`).
* ``requests`` is imported lazily; the caller runs :meth:`DiscoveryClient.discover` off the GUI
  thread.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from tray_app.core import json_text
from tray_app.core.deadline import SOCKET_SLACK, Deadline
from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.oauth import check_bundle_file, read_capped, too_slow, trust_context
from tray_app.core.oauth_answer import MAX_ANSWER_BYTES
from tray_app.core.oauth_transport import (
    mounted_session,
    no_answer,
    proxies_for,
    transport_error,
)
from tray_app.core.profile import DEFAULT_TIMEOUT, ClientAuth, url_problem

if TYPE_CHECKING:
    import requests

_log = logging.getLogger(__name__)
OIDC_SUFFIX = "/.well-known/openid-configuration"
RFC8414_PREFIX = "/.well-known/oauth-authorization-server"


@dataclasses.dataclass(frozen=True)
class Discovery:
    """What the metadata document said."""

    issuer: str
    token_endpoint: str
    client_auth: ClientAuth
    document_url: str
    auth_methods: tuple[str, ...] = ()
    """``token_endpoint_auth_methods_supported`` as published (empty: not published)."""
    signing_algs: tuple[str, ...] = ()
    """``token_endpoint_auth_signing_alg_values_supported`` (empty: not published)."""

    def key_method_problem(self, method: ClientAuth) -> str | None:
        """Why ``method`` (a key method) looks unwelcome at this server, or None."""
        names = KEY_METHOD_NAMES.get(method, ())
        if not names or not self.auth_methods or set(names) & set(self.auth_methods):
            return None
        return (
            f"The server does not list {' or '.join(names)} among the client authentications "
            f"it accepts ({', '.join(self.auth_methods[:4])}). Ask your administrator."
        )

    def pick_signing_alg(self, key_default: str, wanted: str = "") -> tuple[str, str | None]:
        """The algorithm to sign with and, when the server may refuse it, why."""
        chosen = wanted or key_default
        if not self.signing_algs or chosen in self.signing_algs:
            return chosen, None
        if not wanted and key_default == "RS256" and "PS256" in self.signing_algs:
            return "PS256", None
        return chosen, (
            f"The server lists {', '.join(self.signing_algs[:4])} for signed keys, not "
            f"{chosen}. Use a key it accepts."
        )


def well_known_urls(issuer: str) -> list[str]:
    """The metadata addresses for ``issuer``, in the order they are tried."""
    problem = url_problem(issuer, "Issuer URL")
    if problem:
        raise usage_error("Invalid issuer URL", problem)
    parts = urlsplit(issuer.strip())
    path = parts.path.rstrip("/")
    oidc = urlunsplit((parts.scheme, parts.netloc, path + OIDC_SUFFIX, "", ""))
    rfc8414 = urlunsplit((parts.scheme, parts.netloc, RFC8414_PREFIX + path, "", ""))
    return [oidc, rfc8414]


KEY_METHOD_NAMES = {
    ClientAuth.PRIVATE_KEY_JWT: ("private_key_jwt",),
    ClientAuth.TLS: ("tls_client_auth", "self_signed_tls_client_auth"),
}


def _strings(values: object) -> tuple[str, ...]:
    return tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ()


def choose_client_auth(methods: object) -> ClientAuth:
    """Basic if the server lists it (or lists nothing), else body, else a key method (signed
    key first); otherwise a plain error."""
    if methods is None:
        return ClientAuth.BASIC
    listed = _strings(methods)
    if "client_secret_basic" in listed or not listed:
        return ClientAuth.BASIC
    if "client_secret_post" in listed:
        return ClientAuth.BODY
    for method, names in KEY_METHOD_NAMES.items():
        if set(names) & set(listed):
            return method
    raise AppError(
        ErrorKind.USAGE,
        "No usable client authentication",
        "This server accepts neither a client secret nor a private key or client certificate "
        f"at its token endpoint (it asks for: {', '.join(listed[:4])}). Token Tray cannot use "
        "it; ask your administrator.",
    )


def read_document(issuer: str, document: Any, document_url: str) -> Discovery:
    """Check a parsed metadata document against ``issuer`` and take what a profile needs."""
    said = document.get("issuer") if isinstance(document, dict) else None
    if not isinstance(said, str) or said.rstrip("/") != issuer.strip().rstrip("/"):
        raise AppError(
            ErrorKind.USAGE,
            "Issuer does not match",
            f"The server's document describes the issuer “{str(said)[:200]}”, not the one you "
            "entered. Check the issuer URL (copy it exactly as your provider shows it).",
        )
    endpoint = document.get("token_endpoint")
    problem = url_problem(endpoint, "Its token endpoint") if isinstance(endpoint, str) else ""
    if not isinstance(endpoint, str) or problem:
        raise AppError(
            ErrorKind.UNAVAILABLE,
            "No usable token endpoint",
            "The server's document names no usable token endpoint. "
            + (problem or "Ask your administrator for the Token URL."),
        )
    methods = document.get("token_endpoint_auth_methods_supported")
    return Discovery(
        said,
        endpoint.strip(),
        choose_client_auth(methods),
        document_url,
        auth_methods=_strings(methods),
        signing_algs=_strings(document.get("token_endpoint_auth_signing_alg_values_supported")),
    )


class DiscoveryClient:
    """Fetches metadata documents; ``session`` may be injected (tests), else one per call."""

    def __init__(self, session: requests.Session | None = None) -> None:
        self._session = session

    def discover(
        self, issuer: str, *, ca_bundle: str = "", timeout: float = DEFAULT_TIMEOUT
    ) -> Discovery:
        """Look ``issuer`` up; raises :class:`AppError` with a plain message on any failure."""
        urls = well_known_urls(issuer)
        if ca_bundle:
            check_bundle_file(ca_bundle)
        session = self._session or mounted_session(trust_context(ca_bundle))
        try:
            for url in urls:
                document = self._get(session, url, ca_bundle, timeout)
                if document is not None:
                    return read_document(issuer, document, url)
        finally:
            if self._session is None:
                session.close()
        raise AppError(
            ErrorKind.USAGE,
            "Nothing found at this issuer",
            "This address publishes no OpenID Connect or OAuth metadata. Check the issuer URL, "
            "or enter the Token URL itself (provider “Other”).",
        )

    def _get(
        self, session: requests.Session, url: str, ca_bundle: str, timeout: float
    ) -> Any | None:
        """The JSON object at ``url``, or ``None`` when there is none (404, not JSON)."""
        import requests

        host = urlsplit(url).hostname or "?"
        started = time.monotonic()
        failure: AppError | None = None
        answered = False
        with Deadline(timeout) as deadline:
            try:
                with session.get(
                    url,
                    headers={"Accept": "application/json"},
                    timeout=timeout + SOCKET_SLACK,
                    verify=ca_bundle or True,
                    allow_redirects=False,
                    stream=True,
                    proxies=proxies_for(url),
                ) as response:
                    answered = not deadline.expired
                    body = read_capped(response, started + timeout, host)
                    status = response.status_code
            except requests.RequestException as exc:
                failure = _about_issuer(transport_error(exc, host, timeout))
        if deadline.expired:
            cut = too_slow(host) if answered else no_answer(host, timeout)
            failure = _about_issuer(cut)
        if failure is not None:
            raise failure
        _log.info("GET %s metadata -> %d", host, status)
        if status != 200 or len(body) > MAX_ANSWER_BYTES:
            return None
        try:
            document = json_text.loads(body)
        except ValueError:
            return None
        return document if isinstance(document, dict) else None


def _about_issuer(error: AppError) -> AppError:
    """A transport error reworded for the issuer URL (its texts speak of the Token URL)."""
    return AppError(
        error.kind,
        error.title,
        error.message.replace("Token URL", "issuer URL").replace(
            "under Advanced in Settings", "under Advanced"
        ),
        retryable=error.retryable,
    )


def discover(issuer: str, ca_bundle: str = "", timeout: float = DEFAULT_TIMEOUT) -> Discovery:
    """Production entry point: a fresh client for one lookup."""
    return DiscoveryClient().discover(issuer, ca_bundle=ca_bundle, timeout=timeout)
