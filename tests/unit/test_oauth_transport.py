"""Transport details: the body cap and deadline, and requests exceptions turned into AppErrors."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import requests.exceptions as rex
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.oauth import MAX_ANSWER_BYTES, read_capped
from tray_app.core.oauth_transport import transport_error


class ChunkedBody:
    """Just enough of a Response for read_capped: iter_content over fixed chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.served = 0

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.served += 1
            yield chunk


def read(body: ChunkedBody, times: list[float] | None = None) -> bytes:
    ticks = iter(times or [0.0] * len(body.chunks))
    response: Any = body
    return read_capped(response, 10.0, "auth.example", monotonic=lambda: next(ticks))


def test_reads_the_whole_small_body() -> None:
    assert read(ChunkedBody([b'{"a":', b"1}"])) == b'{"a":1}'


def test_stops_reading_one_byte_past_the_cap() -> None:
    body = ChunkedBody([b"x" * MAX_ANSWER_BYTES, b"yy", b"never read"])

    data = read(body)

    assert len(data) == MAX_ANSWER_BYTES + 1
    assert body.served == 2


def test_a_body_dripping_past_the_deadline_is_a_retryable_timeout() -> None:
    body = ChunkedBody([b"{", b'"a"', b":1}"])

    with pytest.raises(AppError) as caught:
        read(body, times=[4.0, 10.5, 11.0])

    assert (caught.value.title, caught.value.retryable) == ("Token server too slow", True)
    assert body.served == 2


def connection_failure(reason: Exception) -> rex.ConnectionError:
    return rex.ConnectionError(MaxRetryError(None, "/token", reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "kind", "title", "retryable"),
    [
        (
            connection_failure(NameResolutionError("auth.example", None, socket.gaierror(-2, "x"))),  # type: ignore[arg-type]
            ErrorKind.UNAVAILABLE,
            "Server not found",
            True,
        ),
        (
            connection_failure(NewConnectionError(None, "refused")),  # type: ignore[arg-type]
            ErrorKind.UNAVAILABLE,
            "Cannot reach the token server",
            True,
        ),
        (rex.ProxyError("proxy said no"), ErrorKind.UNAVAILABLE, "Proxy problem", True),
        (rex.ConnectTimeout("slow"), ErrorKind.UNAVAILABLE, "Token server did not answer", True),
        (rex.ReadTimeout("slow"), ErrorKind.UNAVAILABLE, "Token server did not answer", True),
        (rex.ChunkedEncodingError("cut"), ErrorKind.UNAVAILABLE, "Answer broken off", True),
        (rex.ContentDecodingError("gzip"), ErrorKind.UNAVAILABLE, "Answer broken off", True),
        (rex.InvalidURL("bad"), ErrorKind.USAGE, "Invalid token URL", False),
        (rex.TooManyRedirects("loop"), ErrorKind.UNAVAILABLE, "Request failed", True),
        (
            rex.SSLError(ssl.SSLCertVerificationError(1, "certificate has expired")),
            ErrorKind.UNAVAILABLE,
            "Certificate expired",
            False,
        ),
        (
            rex.SSLError(ssl.SSLError(1, "wrong version number")),
            ErrorKind.UNAVAILABLE,
            "Secure connection failed",
            False,
        ),
    ],
)
def test_requests_exceptions_become_plain_errors(
    exc: requests.RequestException, kind: ErrorKind, title: str, retryable: bool
) -> None:
    error = transport_error(exc, "auth.example", 15.0)

    assert (error.kind, error.title, error.retryable) == (kind, title, retryable)
    assert "Traceback" not in error.message
    assert "MaxRetryError" not in error.message


def test_messages_name_the_host_and_the_timeout() -> None:
    error = transport_error(rex.ReadTimeout("x"), "auth.example", 2.5)

    assert error.message.startswith("auth.example did not answer within 2.5 seconds.")


def test_server_not_found_points_at_the_connection_not_at_a_field_a_preset_locks() -> None:
    reason = NameResolutionError("identity.tarkov-database.com", None, socket.gaierror(-2, "x"))  # type: ignore[arg-type]
    error = transport_error(connection_failure(reason), "identity.tarkov-database.com", 15)

    assert error.message.startswith(
        "Token Tray cannot find the server “identity.tarkov-database.com”. Check your internet "
        "connection;"
    )
    assert "Check the Token URL in Settings" not in error.message
