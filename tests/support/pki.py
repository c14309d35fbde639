"""Keys and certificates made in the test: a CA, a server certificate, client certificates.

Everything is generated with ``cryptography`` into a test's temporary folder; nothing is
shipped. Key files are written 0600, as a user's would be.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CLIENT_SUBJECT = "CN=token-tray-test-client"


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(
    subject: str,
    key: CertificateIssuerPrivateKeyTypes,
    issuer: tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes] | None = None,
    *,
    ca: bool = False,
    server_ip: str = "",
    client: bool = False,
) -> x509.Certificate:
    """A certificate for ``key``, self-signed or signed by ``issuer`` (certificate, key)."""
    now = datetime.datetime.now(datetime.UTC)
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server_ip:
        address = x509.IPAddress(ipaddress.ip_address(server_ip))
        builder = builder.add_extension(x509.SubjectAlternativeName([address]), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if client:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, password: str = "") -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def write_private(path: Path, data: bytes) -> Path:
    path.touch(mode=0o600)
    path.write_bytes(data)
    return path


@dataclasses.dataclass(frozen=True)
class Pki:
    """A CA with a server certificate for 127.0.0.1 and a CA-issued client certificate."""

    folder: Path
    ca_file: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = rsa_key()
    ca_cert = certificate("Token Tray test CA", ca_key, ca=True)
    server_key = ec_key()
    server = certificate("127.0.0.1", server_key, (ca_cert, ca_key), server_ip="127.0.0.1")
    client_key = rsa_key()
    client = certificate(
        CLIENT_SUBJECT.removeprefix("CN="), client_key, (ca_cert, ca_key), client=True
    )
    return Pki(
        folder=folder,
        ca_file=_write(folder / "ca.pem", cert_pem(ca_cert)),
        server_cert=_write(folder / "server.pem", cert_pem(server)),
        server_key=write_private(folder / "server-key.pem", key_pem(server_key)),
        client_cert=_write(folder / "client.pem", cert_pem(client)),
        client_key=write_private(folder / "client-key.pem", key_pem(client_key)),
    )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
