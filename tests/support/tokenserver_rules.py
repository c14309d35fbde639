"""The two token-endpoint behaviours of :mod:`tests.support.tokenserver`, as pure functions.

``seed_answer`` imitates the Tarkov Database identity service (JSON only, ``{code, message}``
request errors, lowercase ``bearer``); ``standard_answer`` follows RFC 6749 (form body, Basic
with §2.3.1 decoding or body credentials, never both, ``invalid_client`` 401 with
``WWW-Authenticate``). Each takes the recorded request and returns (status, JSON, headers).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qs

from tray_app.demo.server import decode_basic

__all__ = ["Answer", "Issuer", "RecordedRequest", "decode_basic", "make_jwt"]

Answer = tuple[int, dict[str, Any], dict[str, str]]


class Issuer(Protocol):
    """What the rules need from the server: its configuration and a way to issue a token."""

    client_id: str
    client_secret: str
    accept_basic: bool
    accept_body: bool
    allowed_scopes: frozenset[str] | None

    def issue(self, scope: str | None = None, *, bearer: str = "Bearer") -> Answer: ...


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive)."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def form(self) -> dict[str, list[str]]:
        """The body decoded as ``application/x-www-form-urlencoded``."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)

    def basic_credentials(self) -> tuple[str, str] | None:
        """Client ID and secret from a Basic header, decoded as RFC 6749 §2.3.1 says."""
        return decode_basic(self.header("Authorization"))


def make_jwt(claims: Mapping[str, Any]) -> str:
    """An (unsigned, random-signature) JWS-compact JWT carrying ``claims``."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    return f"{header}.{part(json.dumps(dict(claims)).encode())}.{part(secrets.token_bytes(32))}"


def _media_type(request: RecordedRequest) -> str:
    return (request.header("Content-Type") or "").split(";")[0].strip().lower()


_DESERIALIZE = "Failed to deserialize the JSON body into the target type"
SEED_NOT_FOUND: Answer = (404, {"code": 404, "message": "Not Found"}, {})


def _seed_request_problem(server: Issuer, data: object) -> str:
    """What the service's request type would reject: a missing field, a secret of the wrong
    size (it is decoded into 32 bytes there)."""
    fields = ("client_id", "client_secret", "grant_type")
    missing = [f for f in fields if not isinstance(data, dict) or not data.get(f)]
    if missing:
        return f"Missing field: {missing[0]}"
    assert isinstance(data, dict)
    if len(str(data["client_secret"])) != len(server.client_secret):
        column = len(json.dumps(data))
        return f"{_DESERIALIZE}: client_secret: invalid length at line 1 column {column}"
    return ""


def seed_answer(server: Issuer, request: RecordedRequest) -> Answer:
    if _media_type(request) != "application/json":
        return 415, {"code": 415, "message": "Content-Type must be application/json"}, {}
    try:
        data = request.json()
    except ValueError:
        return 400, {"code": 400, "message": "Malformed JSON in request body"}, {}
    problem = _seed_request_problem(server, data)
    if problem:
        return 422, {"code": 422, "message": problem}, {}
    if data["grant_type"] != "client_credentials":
        return 400, {"error": "unsupported_grant_type"}, {}
    if (data["client_id"], data["client_secret"]) != (server.client_id, server.client_secret):
        return 401, {"error": "invalid_client"}, {}
    return server.issue(bearer="bearer")


def _oauth_error(status: int, code: str, description: str) -> Answer:
    headers = {"WWW-Authenticate": 'Basic realm="token"'} if status == 401 else {}
    return status, {"error": code, "error_description": description}, headers


def standard_answer(server: Issuer, request: RecordedRequest) -> Answer:
    form, problem = _read_form(request)
    problem = problem or _client_problem(server, request, form) or _scope_problem(server, form)
    return problem or server.issue(form.get("scope"))


def _read_form(request: RecordedRequest) -> tuple[dict[str, str], Answer | None]:
    if _media_type(request) != "application/x-www-form-urlencoded":
        return {}, _oauth_error(400, "invalid_request", "Use a form-encoded body")
    params = request.form()
    form = {key: values[0] for key, values in params.items()}
    if any(len(values) > 1 for values in params.values()):
        return form, _oauth_error(400, "invalid_request", "A parameter was repeated")
    if "grant_type" not in form:
        return form, _oauth_error(400, "invalid_request", "grant_type is missing")
    if form["grant_type"] != "client_credentials":
        return form, _oauth_error(400, "unsupported_grant_type", "Only client_credentials")
    return form, None


def _scope_problem(server: Issuer, form: dict[str, str]) -> Answer | None:
    wanted = set(form.get("scope", "").split())
    if server.allowed_scopes is not None and not wanted <= server.allowed_scopes:
        return _oauth_error(400, "invalid_scope", "Scope not allowed")
    return None


def _client_problem(
    server: Issuer, request: RecordedRequest, form: dict[str, str]
) -> Answer | None:
    basic = request.basic_credentials()
    in_body = "client_secret" in form
    if basic is not None and in_body:
        return _oauth_error(400, "invalid_request", "Use only one client authentication method")
    if basic is not None and server.accept_basic:
        credentials = basic
    elif in_body and server.accept_body:
        credentials = (form.get("client_id", ""), form.get("client_secret", ""))
    else:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    if credentials != (server.client_id, server.client_secret):
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    return None
