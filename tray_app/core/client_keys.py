"""A client's private key and certificate, for authentication without a shared secret.

Used by ``private_key_jwt`` (the key signs an assertion) and mutual TLS (the key and its
certificate are presented on the TLS connection).

Design decisions:

* **The key is read on every use and never kept**, like a client secret: a file replaced on
  disk is used by the very next refresh, and no copy outlives the request. Reading a key is a
  few hundred microseconds; tokens are fetched minutes apart.
* **Where the key lives.** A file, referenced by path (PEM, or PKCS#12 ``.p12``/``.pfx``); its
  password, when it has one, sits in password storage in the profile's secret slot. A key
  pasted in Settings sits in that same slot itself (a PEM text), so nothing new is stored on
  disk by Token Tray. config.json only ever holds the path.
* **A key file others can read is used, but said.** The warning (:func:`file_warning`) names
  the command that fixes it; refusing would break the profile on the day a file is copied.
* **The ``kid``.** An explicit key ID wins (Entra ID and Okta show one when the key is
  registered). Otherwise, with a certificate, the certificate's SHA-256 thumbprint, which is
  what providers that register certificates look keys up by; without one, the RFC 7638 JWK
  thumbprint of the public key, which is what a JWKS built by any JOSE library carries.
* ``cryptography`` is imported only here and only when a profile uses a key, so profiles with a
  client secret, the command line's fast path and the tray's start-up never load it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tray_app.core.errors import AppError, ErrorKind, usage_error

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    SigningKey = RSAPrivateKey | EllipticCurvePrivateKey

PEM_KEY_MARK = "-----BEGIN"
PKCS12_SUFFIXES = (".p12", ".pfx")
ALGORITHMS = ("RS256", "PS256", "ES256")
MAX_KEY_FILE_BYTES = 256 * 1024


@dataclasses.dataclass(frozen=True)
class ClientKey:
    """A loaded private key, its certificate (if any) and how it signs."""

    key: SigningKey = dataclasses.field(repr=False)
    certificate: x509.Certificate | None
    algorithm: str
    key_id: str

    @property
    def thumbprints(self) -> dict[str, str]:
        """``x5t`` (SHA-1, which Entra ID still reads) and ``x5t#S256`` of the certificate."""
        if self.certificate is None:
            return {}
        return certificate_thumbprints(self.certificate)


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def certificate_thumbprints(certificate: x509.Certificate) -> dict[str, str]:
    from cryptography.hazmat.primitives.serialization import Encoding

    der = certificate.public_bytes(Encoding.DER)
    return {
        "x5t": b64url(hashlib.sha1(der, usedforsecurity=False).digest()),
        "x5t#S256": b64url(hashlib.sha256(der).digest()),
    }


def public_jwk(key: PrivateKeyTypes) -> dict[str, str]:
    """The public half of ``key`` as a JWK (only the members RFC 7638 hashes)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        return {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}
    if isinstance(public, ec.EllipticCurvePublicKey):
        point = public.public_numbers()
        return {"crv": "P-256", "kty": "EC", "x": _coord(point.x), "y": _coord(point.y)}
    raise _unsupported_key()


def jwk_thumbprint(key: PrivateKeyTypes) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, without white space."""
    canonical = json.dumps(public_jwk(key), sort_keys=True, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def _coord(value: int) -> str:
    return b64url(value.to_bytes(32, "big"))


def _unsupported_key() -> AppError:
    return usage_error(
        "Key type not supported",
        "Use an RSA key (2048 bits or more) or an EC key on the P-256 curve.",
    )


def _signing_key(key: PrivateKeyTypes) -> SigningKey:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key
    raise _unsupported_key()


def default_algorithm(key: PrivateKeyTypes) -> str:
    """RS256 for RSA keys, ES256 for P-256 keys."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise usage_error(
                "Key too short",
                f"This RSA key has {key.key_size} bits; providers require 2048 or more.",
            )
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise _unsupported_key()


def choose_algorithm(key: PrivateKeyTypes, wanted: str) -> str:
    """``wanted`` when the key can sign with it, else the key's default; mismatches explained."""
    default = default_algorithm(key)
    if not wanted or wanted == default:
        return default
    if wanted == "PS256" and default == "RS256":
        return wanted
    raise usage_error(
        "Signing algorithm does not fit the key",
        f"{wanted} cannot be used with this key; it signs with {default}"
        + (" or PS256." if default == "RS256" else "."),
    )


def file_warning(path: str) -> str | None:
    """A sentence when a key file can be read by other users of this computer (POSIX)."""
    if os.name != "posix":
        return None
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"Other users of this computer can read the key file “{path}”. Make it yours "
            f"alone: chmod 600 '{path}'"
        )
    return None


def read_key_file(path: str) -> bytes:
    """The bytes of a key or certificate file, or a plain error naming the path."""
    file = Path(path).expanduser()
    try:
        if file.stat().st_size > MAX_KEY_FILE_BYTES:
            raise usage_error("Not a key file", f"“{path}” is too large to be a key file.")
        return file.read_bytes()
    except FileNotFoundError:
        raise usage_error(
            "Key file not found", f"The file “{path}” does not exist. Check the path."
        ) from None
    except OSError as exc:
        raise usage_error(
            "Key file unreadable", f"Token Tray cannot read “{path}” ({exc.strerror})."
        ) from None


def load_client_key(
    key_source: str,
    cert_file: str = "",
    password: str = "",
    *,
    algorithm: str = "",
    key_id: str = "",
) -> ClientKey:
    """Load the key from a file path or a pasted PEM text, plus its certificate if any."""
    pasted = key_source.lstrip().startswith(PEM_KEY_MARK)
    data = key_source.encode("utf-8") if pasted else read_key_file(key_source)
    if not pasted and key_source.lower().endswith(PKCS12_SUFFIXES):
        key, certificate = _load_pkcs12(data, password)
    else:
        key, certificate = _load_pem_key(data, password), _pem_certificate_in(data)
    if cert_file:
        certificate = load_certificate(cert_file)
    if certificate is not None:
        _check_pair(key, certificate)
    chosen = choose_algorithm(key, algorithm)
    key = _signing_key(key)
    if not key_id:
        key_id = (
            certificate_thumbprints(certificate)["x5t#S256"]
            if certificate is not None
            else jwk_thumbprint(key)
        )
    return ClientKey(key=key, certificate=certificate, algorithm=chosen, key_id=key_id)


def _password_error(given: bool) -> AppError:
    if given:
        return AppError(
            ErrorKind.USAGE,
            "Wrong key password",
            "The password saved for this key does not open it. Enter the right one where the "
            "client secret would go (Settings, or token-tray profile set-secret).",
        )
    return AppError(
        ErrorKind.USAGE,
        "Key password needed",
        "This key file is protected by a password. Save the password where the client secret "
        "would go (Settings, or token-tray profile set-secret).",
    )


def _load_pem_key(data: bytes, password: str) -> PrivateKeyTypes:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        return load_pem_private_key(data, password.encode("utf-8") or None)
    except TypeError:
        # cryptography raises TypeError both for "needs a password" and "needs none"
        if password:
            return _load_pem_key(data, "")
        raise _password_error(given=False) from None
    except ValueError:
        if password and b"ENCRYPTED" in data:
            raise _password_error(given=True) from None
        raise usage_error(
            "Not a private key",
            "The key must be a PEM private key (-----BEGIN PRIVATE KEY-----) or a PKCS#12 "
            "file (.p12 or .pfx).",
        ) from None


def _load_pkcs12(data: bytes, password: str) -> tuple[PrivateKeyTypes, x509.Certificate | None]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") or None
        )
    except ValueError:
        raise _password_error(given=bool(password)) from None
    if key is None:
        raise usage_error("No key in the file", "This PKCS#12 file holds no private key.")
    return key, certificate


def _pem_certificate_in(data: bytes) -> x509.Certificate | None:
    """A certificate bundled in the same PEM file as the key (a common way to ship both)."""
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return None
    from cryptography import x509

    return x509.load_pem_x509_certificates(data)[0]


def load_certificate(path: str) -> x509.Certificate:
    from cryptography import x509

    data = read_key_file(path)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)[0]
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise usage_error(
            "Not a certificate",
            f"“{path}” holds no certificate (expected PEM -----BEGIN CERTIFICATE----- or DER).",
        ) from None


def _check_pair(key: PrivateKeyTypes, certificate: x509.Certificate) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def spki(public: Any) -> bytes:
        data: bytes = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        return data

    if spki(key.public_key()) != spki(certificate.public_key()):
        raise usage_error(
            "Certificate and key do not match",
            "The certificate was made for a different key. Choose the certificate that "
            "belongs to this key.",
        )


def present_on(context: Any, client_key: ClientKey) -> None:
    """Have ``context`` (an ``ssl.SSLContext``) present ``client_key`` and its certificate.

    ``ssl`` loads certificate chains from files only. The key and certificate are therefore
    handed over through an anonymous in-memory file where the system has one (Linux
    ``memfd_create``); elsewhere through a temporary file in a private folder, the key encrypted
    with a random password that only this process's memory ever holds, removed at once.
    """
    import secrets
    import tempfile

    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        Encoding,
        PrivateFormat,
    )

    if client_key.certificate is None:
        raise usage_error(
            "Client certificate needed",
            "Mutual TLS needs the certificate that belongs to the key: choose the certificate "
            "file (or a PKCS#12 file that holds both).",
        )
    password = secrets.token_bytes(32)
    pem = client_key.certificate.public_bytes(Encoding.PEM) + client_key.key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(password)
    )
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("token-tray-client-key", os.MFD_CLOEXEC)
        try:
            os.write(fd, pem)
            context.load_cert_chain(f"/proc/self/fd/{fd}", password=password)
        finally:
            os.close(fd)
        return
    with tempfile.TemporaryDirectory(prefix="token-tray-") as folder:
        path = Path(folder, "client.pem")
        path.touch(mode=0o600)
        path.write_bytes(pem)
        context.load_cert_chain(str(path), password=password)
