"""Too-deep JSON from outside is invalid JSON like any other, at every place that reads some."""

from __future__ import annotations

import json

import pytest

from tray_app.core import json_text
from tray_app.core.errors import AppError
from tray_app.core.jwt_claims import decode_jwt
from tray_app.core.oauth_answer import parse_answer
from tray_app.core.team import parse_profile
from tray_app.ipc import protocol

DEEP = "[" * 5000 + "]" * 5000


def test_too_deep_nesting_is_a_decode_error() -> None:
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        json_text.loads(DEEP)
    with pytest.raises(json.JSONDecodeError):
        json_text.loads(DEEP.encode())
    assert json_text.loads("[[1]]") == [[1]]


def test_a_deep_command_line_request_is_a_protocol_error() -> None:
    with pytest.raises(protocol.ProtocolError, match="not a line of JSON"):
        protocol.decode(DEEP.encode())


def test_a_deep_team_file_is_refused_plainly() -> None:
    with pytest.raises(AppError, match="not JSON"):
        parse_profile(DEEP)


@pytest.mark.parametrize("status", [200, 400])
def test_a_deep_server_answer_is_an_unexpected_answer(status: int) -> None:
    with pytest.raises(AppError) as info:
        parse_answer(status, {"Content-Type": "application/json"}, DEEP.encode(), sent_at=0.0)
    assert info.value.kind.value in {"unavailable", "rejected"}


def test_a_deep_jwt_payload_is_no_jwt() -> None:
    import base64

    payload = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    assert decode_jwt(f"eyJhbGciOiJub25lIn0.{payload}.sig") is None
