"""The OAuth 2.0 client-credentials request (RFC 6749 §4.4) and the parsing of its answer.

This small request is written by hand on purpose: the JSON-body variant (Tarkov Database) and
the §2.3.1 form-urlencoding of the Basic credentials are not what generic libraries do
(``requests``' HTTPBasicAuth does not encode and breaks on ``+ % : / space``).

Design decisions:

* :func:`build_request` is pure: it returns the exact URL, headers and body, so every body/auth
  combination is unit-tested byte for byte. Credentials go either in a Basic header or in the
  body, never both; a JSON body always carries them (``Profile.effective_client_auth``).
* :class:`TokenClient` sends with ``allow_redirects=False`` (credentials never travel to another
  address), ``stream=True`` reading at most 1 MiB + 1 byte, and the profile's timeout both per
  socket operation and as a hard deadline for the whole exchange (:mod:`tray_app.core.deadline`
  cuts the socket of a server that trickles its headers or body).
* TLS is verified by the operating system's trust store through ``truststore``, handed to
  urllib3 by an adapter — no global ``inject_into_ssl``, no certifi. A profile's CA bundle adds
  its certificates to that context. ``REQUESTS_CA_BUNDLE`` is deliberately ignored (the CA
  bundle field is the one place to configure trust); proxies from the environment still apply,
  except to loopback hosts (plain http is allowed there only because it stays on the computer).
* Cookies are refused and ``~/.netrc`` is never consulted (requests would otherwise replace our
  Basic header with netrc credentials).
* ``requests`` and ``truststore`` are imported lazily so that importing this module stays cheap.
  Logs carry only method, host, status and duration — never a header or a body.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, urlencode, urlsplit

from tray_app import __version__
from tray_app.core.client_assertion import ASSERTION_TYPE, new_assertion_id, sign_assertion
from tray_app.core.client_keys import file_warning
from tray_app.core.deadline import SOCKET_SLACK, Deadline
from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.oauth_answer import DEFAULT_LIFETIME, MAX_ANSWER_BYTES, parse_answer
from tray_app.core.oauth_transport import (
    mounted_session,
    no_answer,
    proxies_for,
    transport_error,
)
from tray_app.core.profile import (
    RESERVED_PARAMS,
    BodyFormat,
    ClientAuth,
    Profile,
    request_problem,
    url_problem,
)
from tray_app.core.token import Token

if TYPE_CHECKING:
    import requests

    from tray_app.core.client_keys import ClientKey

__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_ANSWER_BYTES",
    "TokenClient",
    "TokenRequest",
    "basic_authorization",
    "build_request",
    "parse_answer",
]

_log = logging.getLogger(__name__)
USER_AGENT = f"token-tray/{__version__}"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
_CHUNK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class TokenRequest:
    """A fully built token request, ready to send (``headers`` may hold the Basic credentials)."""

    url: str
    headers: Mapping[str, str] = dataclasses.field(repr=False)
    body: bytes = dataclasses.field(repr=False)
    timeout: float
    verify: str | bool


def basic_authorization(client_id: str, secret: str) -> str:
    """``Basic base64(form_urlencode(id) ":" form_urlencode(secret))`` (RFC 6749 §2.3.1)."""
    pair = f"{quote_plus(client_id, safe='')}:{quote_plus(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def build_request(profile: Profile, secret: str, assertion: str = "") -> TokenRequest:
    """Build the request for ``profile`` exactly as DESIGN.md "Token request" describes.

    ``secret`` is the client secret; for ``private_key_jwt`` the signed ``assertion`` stands in
    for it, and for mutual TLS the certificate on the connection does (the caller's session).
    """
    problem = url_problem(profile.token_url)
    if problem:
        raise usage_error("Invalid token URL", problem)
    unusable = request_problem(profile)
    if unusable is not None:
        label, message = unusable
        raise usage_error(
            f"Invalid {label}", f"Profile “{profile.name}”: {message} Fix it in Settings."
        )
    params = _parameters(profile, secret, assertion)
    headers = {"Accept": JSON_CONTENT_TYPE, "User-Agent": USER_AGENT}
    if profile.effective_client_auth is ClientAuth.BASIC:
        headers["Authorization"] = basic_authorization(profile.client_id, secret)
    if profile.body_format is BodyFormat.JSON:
        headers["Content-Type"] = JSON_CONTENT_TYPE
        body = json.dumps(dict(params), separators=(",", ":")).encode("utf-8")
    else:
        headers["Content-Type"] = FORM_CONTENT_TYPE
        body = urlencode(params).encode("ascii")
    return TokenRequest(
        url=profile.token_url.strip(),
        headers=headers,
        body=body,
        timeout=profile.timeout,
        verify=profile.ca_bundle or True,
    )


def _credentials(profile: Profile, secret: str, assertion: str) -> list[tuple[str, str]]:
    method = profile.effective_client_auth
    if method is ClientAuth.BODY:
        return [("client_id", profile.client_id), ("client_secret", secret)]
    if method is ClientAuth.PRIVATE_KEY_JWT:
        return [
            ("client_id", profile.client_id),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ]
    if method is ClientAuth.TLS:
        return [("client_id", profile.client_id)]
    return []


def _parameters(profile: Profile, secret: str, assertion: str) -> list[tuple[str, str]]:
    params = [("grant_type", "client_credentials"), *_credentials(profile, secret, assertion)]
    optional = {
        "scope": " ".join(profile.scope.split()),
        "audience": profile.audience.strip(),
        "resource": profile.resource.strip(),
    }
    params += [(key, value) for key, value in optional.items() if value]
    for key, value in profile.extra_params:
        if key in RESERVED_PARAMS:
            raise usage_error(
                "Invalid extra parameter", f"“{key}” is set by Token Tray itself; remove it."
            )
        params.append((key, value))
    return params


def secret_forms(secret: str) -> tuple[str, ...]:
    """Every spelling of ``secret`` a server might echo back (for redaction)."""
    forms = {secret, quote_plus(secret, safe=""), quote(secret, safe=""), json.dumps(secret)[1:-1]}
    return tuple(form for form in forms if form.strip())


class TokenClient:
    """Sends token requests. One instance keeps keep-alive ``requests`` sessions.

    With an injected ``session`` every request goes through it (``verify`` is then passed per
    request); otherwise one session per trust configuration is created on first use.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        new_jti: Callable[[], str] = new_assertion_id,
    ) -> None:
        self._injected = session
        self._clock = clock
        self._new_jti = new_jti
        self._sessions: dict[tuple[str, int], requests.Session] = {}
        self._keep = True
        self._lock = threading.Lock()
        self._active: set[Deadline] = set()

    def fetch(self, profile: Profile, secret: str) -> Token:
        """Request a token; raises :class:`AppError` for every failure (never a traceback).

        ``secret`` is what password storage holds for the profile: the client secret, or for
        the key methods the key file's password ("" for none) or the pasted key itself.
        """
        if profile.client_auth.uses_key:
            return self._fetch_with_key(profile, secret)
        request = build_request(profile, secret)
        session, verify = self._session_for(profile.ca_bundle)
        redact = (*secret_forms(secret), *_credential_forms(profile.client_id, secret))
        return self._exchange(session, request, verify, profile, redact)

    def _fetch_with_key(self, profile: Profile, stored: str) -> Token:
        client_key = profile_key(profile, stored)
        redact = secret_forms(stored) if stored else ()
        if profile.client_auth is ClientAuth.TLS:
            request = build_request(profile, "")
            with mutual_tls_session(profile.ca_bundle, client_key) as session:
                token = self._exchange(session, request, True, profile, redact)
            proof = f"client certificate SHA-256 {client_key.thumbprints['x5t#S256']}"
            return with_proof(token, self._warned(proof, profile))
        audience = profile.assertion_audience.strip() or profile.token_url.strip()
        assertion = sign_assertion(
            client_key, profile.client_id, audience, now=self._clock(), jti=self._new_jti()
        )
        request = build_request(profile, "", assertion=assertion)
        session, verify = self._session_for(profile.ca_bundle)
        token = self._exchange(session, request, verify, profile, (*redact, assertion))
        proof = f"signed {client_key.algorithm}, key ID {client_key.key_id}"
        return with_proof(token, self._warned(proof, profile))

    @staticmethod
    def _warned(proof: str, profile: Profile) -> str:
        """``proof`` plus the warning about key files others can read (shown by Test)."""
        paths = (profile.key_file.strip(), profile.cert_file.strip())
        warnings = [w for w in (file_warning(p) for p in paths if p) if w]
        return " ".join([proof + ".", *warnings]) if warnings else proof

    def _exchange(
        self,
        session: requests.Session,
        request: TokenRequest,
        verify: str | bool,
        profile: Profile,
        redact: tuple[str, ...],
    ) -> Token:
        sent_at = self._clock()
        try:
            status, headers, body = self._send(session, request, verify)
        finally:
            self._release(session)
        return parse_answer(status, headers, body, sent_at=sent_at, profile=profile, redact=redact)

    def close(self, *, final: bool = False) -> None:
        """Cut the exchanges in flight and close the HTTP sessions this client created (an
        injected one stays open): quitting never waits on a network call.

        A later request opens a new session, unless ``final`` (the app quitting): from then on
        every request, including one still under way, closes its session when done, so a fetch
        that was running at quit leaves no connection open behind it.
        """
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
            self._keep = self._keep and not final
            active = list(self._active)
        for deadline in active:
            deadline.expire()
        for session in sessions:
            session.close()

    def _release(self, session: requests.Session) -> None:
        with self._lock:
            closing = not self._keep and session is not self._injected
        if closing:
            session.close()

    def _session_for(self, ca_bundle: str) -> tuple[requests.Session, str | bool]:
        if ca_bundle:
            check_bundle_file(ca_bundle)
        key = (ca_bundle, _bundle_stamp(ca_bundle)) if ca_bundle else ("", 0)
        if self._injected is not None:
            return self._injected, ca_bundle or True
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = mounted_session(trust_context(ca_bundle))
                if self._keep:
                    self._sessions[key] = session
        return session, True

    def _send(
        self, session: requests.Session, request: TokenRequest, verify: str | bool
    ) -> tuple[int, Mapping[str, str], bytes]:
        import requests

        host = urlsplit(request.url).hostname or "?"
        started = time.monotonic()
        failure: AppError | None = None
        answered = False  # the status line and headers have arrived
        with self._deadline(request.timeout) as deadline:
            try:
                with session.post(
                    request.url,
                    data=request.body,
                    headers=dict(request.headers),
                    timeout=request.timeout + SOCKET_SLACK,
                    verify=verify,
                    allow_redirects=False,
                    stream=True,
                    auth=_keep_headers,
                    proxies=proxies_for(request.url),
                ) as response:
                    answered = not deadline.expired  # headers complete before the deadline
                    body = read_capped(response, started + request.timeout, host)
            except requests.RequestException as exc:
                name = type(exc).__name__
                _log.info("POST %s failed after %.0f ms: %s", host, _ms(started), name)
                failure = transport_error(exc, host, request.timeout)
        if deadline.expired:
            _log.info("POST %s cut off after %.0f ms", host, _ms(started))
            failure = too_slow(host) if answered else no_answer(host, request.timeout)
        if failure is not None:
            # Raised outside the except block: the requests exception (whose .request holds the
            # Authorization header) must not live on as this error's __context__.
            raise failure
        _log.info("POST %s -> %d in %.0f ms", host, response.status_code, _ms(started))
        return response.status_code, response.headers, body

    @contextlib.contextmanager
    def _deadline(self, seconds: float) -> Iterator[Deadline]:
        """A hard deadline for one exchange, cut early too when the client is closed."""
        deadline = Deadline(seconds)
        with self._lock:
            self._active.add(deadline)
        try:
            with deadline:
                yield deadline
        finally:
            with self._lock:
                self._active.discard(deadline)


def with_proof(token: Token, proof: str) -> Token:
    """``token`` noting how the client proved who it was (Token is immutable)."""
    return Token(
        token.access_token,
        token.token_type,
        token.lifetime,
        token.obtained_at,
        token.scope,
        token.lifetime_from_server,
        proof,
    )


def profile_key(profile: Profile, stored: str) -> ClientKey:
    """The profile's private key: from its key file (``stored`` = the file's password, if
    any), or pasted in Settings (``stored`` = the PEM text itself)."""
    from tray_app.core.client_keys import load_client_key

    if profile.key_file.strip():
        source, password = profile.key_file.strip(), stored
    else:
        source, password = stored, ""
    return load_client_key(
        source,
        profile.cert_file.strip(),
        password,
        algorithm=profile.signing_alg,
        key_id=profile.key_id.strip(),
    )


@contextlib.contextmanager
def mutual_tls_session(ca_bundle: str, client_key: ClientKey) -> Iterator[requests.Session]:
    """A one-request session presenting ``client_key``: the key is in memory only as long as
    the request lasts, and no pooled connection outlives it."""
    from tray_app.core.client_keys import present_on

    context = trust_context(ca_bundle)
    present_on(context, client_key)
    session = mounted_session(context)
    try:
        yield session
    finally:
        session.close()


def _credential_forms(client_id: str, secret: str) -> tuple[str, ...]:
    """The Basic credentials and lower-case escapes of the secret, as a server might echo them."""
    basic = basic_authorization(client_id, secret).split(" ", 1)[1]
    return basic, quote(secret, safe="").lower(), quote_plus(secret, safe="").lower()


def _keep_headers(request: Any) -> Any:
    """An auth hook that changes nothing: its presence stops requests from reading ~/.netrc."""
    return request


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def read_capped(
    response: requests.Response,
    deadline: float,
    host: str,
    monotonic: Callable[[], float] = time.monotonic,
) -> bytes:
    """At most ``MAX_ANSWER_BYTES + 1`` bytes of the body, all arrived before ``deadline``."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            break
        if monotonic() > deadline:
            raise too_slow(host)
    return b"".join(chunks)[: MAX_ANSWER_BYTES + 1]


def too_slow(host: str) -> AppError:
    """The error for an exchange that did not finish within the profile's timeout."""
    return AppError(
        ErrorKind.UNAVAILABLE,
        "Token server too slow",
        f"{host} did not finish its answer in time. Try again, or raise the timeout "
        "under Advanced in Settings.",
        retryable=True,
    )


def _bundle_stamp(path: str) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return 0


def trust_context(ca_bundle: str = "") -> ssl.SSLContext:
    """The OS trust store (truststore), plus the certificates in ``ca_bundle`` when given."""
    import truststore

    context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle:
        _load_bundle(context, ca_bundle)
    return context


def check_bundle_file(ca_bundle: str) -> None:
    """Raise a usage :class:`AppError` when the CA bundle path is not a file."""
    if not Path(ca_bundle).is_file():
        raise usage_error(
            "CA bundle not found",
            f"The CA bundle file “{ca_bundle}” does not exist. Fix the path under Advanced in "
            "Settings, or clear it to use this computer's certificates.",
        )


def _load_bundle(context: ssl.SSLContext, ca_bundle: str) -> None:
    check_bundle_file(ca_bundle)
    try:
        context.load_verify_locations(cafile=ca_bundle)
    except (ssl.SSLError, OSError, ValueError):
        raise usage_error(
            "CA bundle unreadable",
            f"The CA bundle file “{ca_bundle}” holds no readable PEM certificates. Choose the "
            "right file under Advanced in Settings, or clear the field.",
        ) from None
