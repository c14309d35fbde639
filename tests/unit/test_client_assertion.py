"""The signed client assertion and the key handling behind it, byte for byte (no server)."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from tests.support.pki import (
    cert_pem,
    certificate,
    ec_key,
    key_pem,
    rsa_key,
    write_private,
)
from tray_app.core.client_assertion import ASSERTION_TYPE, sign_assertion
from tray_app.core.client_keys import (
    certificate_thumbprints,
    file_warning,
    jwk_thumbprint,
    load_client_key,
)
from tray_app.core.errors import AppError
from tray_app.core.oauth import build_request
from tray_app.core.profile import BodyFormat, ClientAuth, Profile, profile_problems

NOW = 1_800_000_000.0
RSA = rsa_key()
EC = ec_key()


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def pem_file(tmp_path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return str(write_private(tmp_path / "key.pem", key_pem(key)))


def test_rs256_assertion_byte_for_byte(tmp_path: Path) -> None:
    client_key = load_client_key(pem_file(tmp_path, RSA), key_id="kid-1")
    jws = sign_assertion(client_key, "client-1", "https://idp.example/token", now=NOW, jti="j1")
    header, claims, signature = jws.split(".")
    assert b64decode(header) == b'{"alg":"RS256","kid":"kid-1","typ":"JWT"}'
    assert b64decode(claims) == (
        b'{"iss":"client-1","sub":"client-1","aud":"https://idp.example/token","jti":"j1",'
        b'"iat":1800000000,"nbf":1800000000,"exp":1800000300}'
    )
    # PKCS#1 v1.5 is deterministic: the signature is exactly what the key makes of the input
    expected = RSA.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert b64decode(signature) == expected


def test_ps256_and_es256_verify_with_the_public_key(tmp_path: Path) -> None:
    ps = load_client_key(pem_file(tmp_path, RSA), algorithm="PS256")
    jws = sign_assertion(ps, "c", "aud", now=NOW, jti="j")
    signing_input, _, signature = jws.rpartition(".")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    RSA.public_key().verify(b64decode(signature), signing_input.encode(), pss, hashes.SHA256())
    es = load_client_key(str(write_private(tmp_path / "ec.pem", key_pem(EC))))
    jws = sign_assertion(es, "c", "aud", now=NOW, jti="j")
    signing_input, _, signature = jws.rpartition(".")
    raw = b64decode(signature)
    assert len(raw) == 64  # RFC 7518 §3.4: r || s, not DER
    der = utils.encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    EC.public_key().verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(b64decode(jws.split(".")[0]))["alg"] == "ES256"


def test_the_certificate_thumbprints_match_openssl(tmp_path: Path) -> None:
    cert = certificate("client", RSA, client=True)
    cert_file = tmp_path / "cert.pem"
    cert_file.write_bytes(cert_pem(cert))
    fingerprint = subprocess.run(
        ["openssl", "x509", "-in", str(cert_file), "-noout", "-fingerprint", "-sha256"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    hex_digest = fingerprint.strip().split("=", 1)[1].replace(":", "")
    expected = base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).rstrip(b"=").decode()
    client_key = load_client_key(pem_file(tmp_path, RSA), str(cert_file))
    assert client_key.thumbprints["x5t#S256"] == expected
    jws = sign_assertion(client_key, "c", "a", now=NOW, jti="j")
    header = json.loads(b64decode(jws.split(".")[0]))
    assert header["x5t#S256"] == expected
    assert header["kid"] == expected  # with a certificate and no key ID, its thumbprint
    assert header["x5t"] == certificate_thumbprints(cert)["x5t"]


def test_without_a_certificate_the_kid_is_the_rfc7638_thumbprint(tmp_path: Path) -> None:
    # RFC 7638 §3.1's example key and thumbprint
    n = int.from_bytes(
        b64decode(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        )
    )
    public = rsa.RSAPublicNumbers(65537, n).public_key()

    class _Only:
        def public_key(self) -> rsa.RSAPublicKey:
            return public

    assert jwk_thumbprint(_Only()) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"  # type: ignore[arg-type]


def key_profile(**changes: object) -> Profile:
    base = Profile(name="p", token_url="https://idp.example/token", client_id="c 1")
    return base.replace(**{"client_auth": ClientAuth.PRIVATE_KEY_JWT, **changes})


def test_the_request_carries_the_assertion_and_no_secret() -> None:
    profile = key_profile()
    request = build_request(profile, "", assertion="a.b.c")
    assert "Authorization" not in request.headers
    assert request.body == (
        b"grant_type=client_credentials&client_id=c+1&client_assertion_type="
        + ASSERTION_TYPE.replace(":", "%3A").encode()
        + b"&client_assertion=a.b.c"
    )
    tls = build_request(profile.replace(client_auth=ClientAuth.TLS), "")
    assert tls.body == b"grant_type=client_credentials&client_id=c+1"
    assert "Authorization" not in tls.headers


def test_key_methods_need_a_form_body() -> None:
    profile = key_profile(client_auth=ClientAuth.TLS, body_format=BodyFormat.JSON)
    assert "Form" in profile_problems(profile)["client_auth"]


def test_plain_errors_for_what_goes_wrong_with_keys(tmp_path: Path) -> None:
    def title(*args: str, **kwargs: str) -> str:
        with pytest.raises(AppError) as caught:
            load_client_key(*args, **kwargs)
        return caught.value.title

    assert title(str(tmp_path / "missing.pem")) == "Key file not found"
    locked = write_private(tmp_path / "locked.pem", key_pem(EC, password="pw"))
    assert title(str(locked)) == "Key password needed"
    assert title(str(locked), "", "nope") == "Wrong key password"
    assert (
        title(pem_file(tmp_path, EC), algorithm="RS256") == "Signing algorithm does not fit the key"
    )
    other_cert = tmp_path / "other.pem"
    other_cert.write_bytes(cert_pem(certificate("x", RSA)))
    assert title(str(write_private(tmp_path / "ec2.pem", key_pem(EC))), str(other_cert)) == (
        "Certificate and key do not match"
    )
    short = write_private(tmp_path / "short.pem", key_pem(rsa_key(1024)))
    assert title(str(short)) == "Key too short"
    not_key = tmp_path / "notes.txt"
    not_key.write_text("hello")
    assert title(str(not_key)) == "Not a private key"


def test_a_key_file_others_can_read_is_pointed_out(tmp_path: Path) -> None:
    path = Path(pem_file(tmp_path, EC))
    assert file_warning(str(path)) is None
    path.chmod(0o644)
    warning = file_warning(str(path))
    assert warning is not None
    assert f"chmod 600 '{path}'" in warning


def test_a_pkcs12_file_brings_its_certificate(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    cert = certificate("client", EC, client=True)
    data = pkcs12.serialize_key_and_certificates(
        b"client", EC, cert, None, BestAvailableEncryption(b"p12 password")
    )
    path = write_private(tmp_path / "client.p12", data)
    client_key = load_client_key(str(path), "", "p12 password")
    assert client_key.certificate == cert
    assert client_key.algorithm == "ES256"
    assert x509.load_pem_x509_certificate(cert_pem(cert)) == client_key.certificate
