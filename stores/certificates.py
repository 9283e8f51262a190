"""Importing, inspecting and exporting NTA client certificates (PKCS#12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor, user_of

from .models import NTACertificate, Store
from .validators import validate_store_identifier

MAX_PKCS12_BYTES = 64 * 1024


@dataclass(frozen=True)
class Parsed:
    certificate: x509.Certificate
    key_pem: str
    key_type: str
    key_size: int

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def _looks_like_pkcs12(data: bytes) -> bool:
    """A PFX is a DER SEQUENCE whose first element is INTEGER 3 (RFC 7292)."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    length_bytes = data[1] & 0x7F if data[1] & 0x80 else 0
    offset = 2 + length_bytes
    return data[offset : offset + 3] == b"\x02\x01\x03"


def _key_description(key: object) -> tuple[str, int]:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC {key.curve.name}", key.curve.key_size
    if isinstance(key, dsa.DSAPrivateKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519", 256
    return type(key).__name__, 0


def parse_pkcs12(data: bytes, password: bytes | None) -> Parsed:
    """Every way a file can be wrong gets its own message; nothing is kept of the password."""
    if len(data) > MAX_PKCS12_BYTES or not _looks_like_pkcs12(data):
        raise ValidationError(_("This is not a PKCS#12 (.p12 / .pfx) file."), code="not_pkcs12")
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError:
        raise ValidationError(_("The password is wrong, or the file is damaged."), code="password") from None
    if key is None:
        raise ValidationError(_("The file holds no private key: export it again with the key."), code="no_key")
    if certificate is None and _chain:
        # cryptography pairs the key with its certificate; an unpaired one lands in the chain.
        raise ValidationError(_("The private key does not belong to the certificate."), code="mismatch")
    if certificate is None:
        raise ValidationError(_("The file holds no certificate."), code="no_certificate")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise ValidationError(_("The private key does not belong to the certificate."), code="mismatch")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return Parsed(certificate, key_pem, *_key_description(key))


def _nta_cas() -> list[x509.Certificate]:
    """The CAs the NTA's certificates come from: the bundle the client trusts the NTA with
    (settings.NTA_CA_BUNDLE; the sandbox's CA in development). Empty when none is configured."""
    try:
        return x509.load_pem_x509_certificates(Path(settings.NTA_CA_BUNDLE).read_bytes())
    except (OSError, ValueError):
        return []


def _signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def issuer_warnings(certificate: x509.Certificate) -> list[str]:
    """What is wrong with where a certificate comes from: self-signed, or not issued by the NTA's
    CA (docs/rules.md §6: the NTA issues the client certificates; any other is refused at login).
    Warnings, not refusals: the CA bundle may be out of date; the officer decides."""
    if _signed_by(certificate, certificate):
        return [_("This certificate is self-signed: the NTA did not issue it and will refuse it.")]
    cas = _nta_cas()
    if cas and not any(_signed_by(certificate, ca) for ca in cas):
        return [
            _("This certificate was not issued by the NTA's CA (issuer: %(issuer)s): the NTA will refuse it.")
            % {"issuer": certificate.issuer.rfc4514_string()}
        ]
    return []


def certificate_warnings(record: NTACertificate) -> list[str]:
    return issuer_warnings(x509.load_pem_x509_certificate(record.certificate_pem.encode()))


@transaction.atomic(durable=True)
def certificate_import(
    *, actor: Actor, identifier: str, data: bytes, password: bytes | None, holder: str = NTACertificate.Holder.STORE
) -> NTACertificate:
    validate_store_identifier(identifier)
    parsed = parse_pkcs12(data, password)
    cert = parsed.certificate
    if cert.not_valid_after_utc < timezone.now():
        expired_on = timezone.localdate(cert.not_valid_after_utc)
        raise ValidationError(_("This certificate expired on %(day)s.") % {"day": expired_on}, code="expired")
    if NTACertificate.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise ValidationError(_("This certificate has already been imported."), code="duplicate")
    record = certificate_record(parsed, identifier=identifier, holder=holder, actor=actor)
    audit(actor, AuditAction.CERTIFICATE_IMPORT, record, f"{identifier} serial {record.serial}")
    return record


def certificate_record(parsed: Parsed, *, identifier: str, holder: str, actor: Actor = None) -> NTACertificate:
    """Store a parsed certificate (callers check it first; the demo also stores expired ones)."""
    cert = parsed.certificate
    store = Store.objects.filter(identifier=identifier).select_related("business").first()
    return NTACertificate.objects.create(
        identifier=identifier,
        holder=holder,
        store=store,
        business=store.business if store else None,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=parsed.key_type,
        key_size=parsed.key_size,
        fingerprint=parsed.fingerprint,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=parsed.key_pem,
        imported_by=user_of(actor),
    )


def certificate_export(*, actor: Actor, certificate: NTACertificate, password: bytes) -> bytes:
    """A PKCS#12 backup under a new password (the CA lets the certificate be downloaded once)."""
    if len(password) < 8:
        raise ValidationError(_("Use a password of at least 8 characters."), code="password")
    key = cast(
        pkcs12.PKCS12PrivateKeyTypes,
        serialization.load_pem_private_key(certificate.private_key_pem.encode(), password=None),
    )
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    data = pkcs12.serialize_key_and_certificates(
        certificate.identifier.encode(), key, cert, None, serialization.BestAvailableEncryption(password)
    )
    audit(actor, AuditAction.CERTIFICATE_EXPORT, certificate, "PKCS#12 backup")
    return data


def certificate_row(certificate: NTACertificate, today: date, newer_exists: bool | None = None) -> dict[str, Any]:
    return {
        "identifier": certificate.identifier,
        "serial": certificate.serial,
        "subject": certificate.subject,
        "not_before": certificate.issued_on.isoformat(),
        "not_after": certificate.expires_on.isoformat(),
        "rule_expiry": certificate.rule_expiry.isoformat(),
        "expiry_matches_rule": certificate.expiry_matches_rule,
        "renewal_available_on": certificate.renewal_available_on.isoformat(),
        "days_left": certificate.days_left(today),
        "status": str(certificate.status(today, newer_exists)),
        "key": f"{certificate.key_type} {certificate.key_size}",
        "fingerprint": certificate.fingerprint,
    }
