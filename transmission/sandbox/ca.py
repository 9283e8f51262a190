"""A local certificate authority standing in for the NTA CA (国税庁認証局) in the demo and the
tests. Everything is generated at run time; no key is ever committed."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .files import owner_only_directory, write_owner_only


@dataclass
class Issued:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def pkcs12(self, password: bytes | None, *, with_key: bool = True) -> bytes:
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        return pkcs12.serialize_key_and_certificates(
            b"nta-client", self.key if with_key else None, self.certificate, None, encryption
        )


class SandboxCA:
    def __init__(self, name: str = "taxfree sandbox NTA CA"):
        self.key: ec.EllipticCurvePrivateKey = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now().astimezone()
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=3650))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def issue_client(
        self,
        identifier: str,
        not_before: datetime,
        not_after: datetime,
        *,
        key_size: int = 2048,
    ) -> Issued:
        key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "taxfree sandbox"),
                x509.NameAttribute(NameOID.COMMON_NAME, identifier),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return Issued(key, certificate)

    @classmethod
    def load_or_create(cls, directory: Path) -> SandboxCA:
        """The CA kept under `directory`, so that certificates it issued stay valid across restarts."""
        cert_path, key_path = directory / "ca-cert.pem", directory / "ca-key.pem"
        if cert_path.exists() and key_path.exists():
            ca = cls.__new__(cls)
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            ca.key, ca.certificate = key, x509.load_pem_x509_certificate(cert_path.read_bytes())
            return ca
        ca = cls()
        owner_only_directory(directory)
        write_owner_only(
            key_path,
            ca.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        write_owner_only(cert_path, ca.certificate.public_bytes(serialization.Encoding.PEM))
        return ca

    def server_files(self, directory: Path, host: str = "localhost") -> tuple[Path, Path]:
        """The sandbox server's own certificate and key (for localhost and 127.0.0.1), made once."""
        cert_path, key_path = directory / "server-cert.pem", directory / "server-key.pem"
        if cert_path.exists() and key_path.exists():
            current = x509.load_pem_x509_certificate(cert_path.read_bytes())
            if current.issuer == self.certificate.subject and current.not_valid_after_utc > datetime.now().astimezone():
                return cert_path, key_path
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName(host), x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        now = datetime.now().astimezone()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        write_owner_only(
            key_path,
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
        write_owner_only(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
        return cert_path, key_path
