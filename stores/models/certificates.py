from __future__ import annotations

from datetime import date, datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taxfree.crypto import EncryptedTextField

from .. import deadlines
from ..validators import validate_store_identifier
from .business import Business, Store

EXPIRING_DAYS = 60


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    RENEWAL_AVAILABLE = "renewal_available", _("renewal available")
    EXPIRING = "expiring", _("expiring")
    EXPIRED = "expired", _("expired")
    SUPERSEDED = "superseded", _("superseded")
    NOT_YET_VALID = "not_yet_valid", _("not yet valid")


class NTACertificateQuerySet(models.QuerySet["NTACertificate"]):
    def with_newer(self) -> Self:
        """Annotate whether a renewal supersedes each certificate (one query for a whole list)."""
        newer = NTACertificate.objects.filter(
            identifier=models.OuterRef("identifier"),
            not_after__gt=models.OuterRef("not_after"),
            not_before__lte=timezone.now(),
        )
        return self.annotate(newer_exists=models.Exists(newer))

    def valid_at(self, moment: datetime) -> Self:
        return self.filter(not_before__lte=moment, not_after__gte=moment)

    def active_for(self, identifier: str) -> NTACertificate | None:
        """The newest valid certificate of a 識別符号: the one TLS uses."""
        return self.filter(identifier=identifier).valid_at(timezone.now()).order_by("-not_after", "-pk").first()


class NTACertificate(models.Model):
    """An NTA client certificate (docs/rules.md §6) with its private key, encrypted at rest."""

    class Holder(models.TextChoices):
        STORE = "store", _("store (輸出物品販売場)")
        TEMPORARY_SITE_OPERATOR = "temporary_site_operator", _("temporary-site operator")
        APPROVED_SENDER = "approved_sender", _("approved sender (承認送受信事業者)")

    identifier = models.CharField(_("識別符号"), max_length=21, validators=[validate_store_identifier], db_index=True)
    holder = models.CharField(_("holder"), max_length=30, choices=Holder.choices, default=Holder.STORE)
    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="nta_certificates", null=True, verbose_name=_("business")
    )
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="nta_certificates", null=True, blank=True, verbose_name=_("store")
    )
    subject = models.CharField(_("subject"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=500)
    serial = models.CharField(_("serial (hex)"), max_length=64)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    key_type = models.CharField(_("key type"), max_length=20)
    key_size = models.PositiveIntegerField(_("key size"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    certificate_pem = EncryptedTextField(_("certificate (PEM)"))
    private_key_pem = EncryptedTextField(_("private key (PEM)"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )

    objects = NTACertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("NTA client certificate")
        verbose_name_plural = _("NTA client certificates")
        ordering = ["identifier", "-not_after"]

    def __str__(self) -> str:
        return f"{self.identifier} #{self.serial[:12]} (→ {self.expires_on})"

    @property
    def expires_on(self) -> date:
        return timezone.localdate(self.not_after)

    @property
    def issued_on(self) -> date:
        return timezone.localdate(self.not_before)

    @property
    def rule_expiry(self) -> date:
        return deadlines.nta_expiry(self.issued_on)

    @property
    def expiry_matches_rule(self) -> bool:
        return self.rule_expiry == self.expires_on

    @property
    def renewal_available_on(self) -> date:
        return deadlines.renewal_available_on(self.expires_on)

    def days_left(self, today: date | None = None) -> int:
        return (self.expires_on - (today or timezone.localdate())).days

    def status(self, today: date | None = None, newer_exists: bool | None = None) -> str:
        today = today or timezone.localdate()
        if self.expires_on < today:
            return CertificateStatus.EXPIRED
        if self.issued_on > today:
            return CertificateStatus.NOT_YET_VALID
        if newer_exists is None:
            newer_exists = getattr(self, "newer_exists", None)
        if newer_exists is None:
            newer_exists = self.newer().exists()
        if newer_exists:
            return CertificateStatus.SUPERSEDED
        if today >= self.renewal_available_on:
            return CertificateStatus.RENEWAL_AVAILABLE
        if self.days_left(today) <= EXPIRING_DAYS:
            return CertificateStatus.EXPIRING
        return CertificateStatus.ACTIVE

    def newer(self) -> NTACertificateQuerySet:
        """Valid certificates of the same 識別符号 that outlast this one (the renewal)."""
        now = timezone.now()
        return NTACertificate.objects.filter(
            identifier=self.identifier, not_after__gt=self.not_after, not_before__lte=now
        ).exclude(pk=self.pk)


class JPKICertificate(models.Model):
    """A My Number card e-certificate of a person who signs filings (docs/rules.md §6). No PIN is stored."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("signature (署名用)")
        USER = "user", _("user authentication (利用者証明用)")

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="jpki_certificates", verbose_name=_("business")
    )
    holder_name = models.CharField(_("holder's name"), max_length=100)
    holder_address = models.CharField(_("holder's address"), max_length=300)
    holder_birth_date = models.DateField(_("holder's birth date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    issued_on = models.DateField(_("issued on"))
    card_expires_on = models.DateField(_("card expires on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("My Number card e-certificate")
        verbose_name_plural = _("My Number card e-certificates")
        ordering = ["holder_name", "kind"]

    def __str__(self) -> str:
        return f"{self.holder_name} — {self.get_kind_display()}"

    @property
    def expires_on(self) -> date:
        return deadlines.jpki_expiry(self.issued_on, self.holder_birth_date, self.card_expires_on)

    @property
    def renewal_opens_on(self) -> date:
        return deadlines.jpki_renewal_opens(self.expires_on)

    def status(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.revoked_on:
            return "revoked"
        if self.expires_on < today:
            return CertificateStatus.EXPIRED
        if today >= self.renewal_opens_on:
            return CertificateStatus.RENEWAL_AVAILABLE
        return CertificateStatus.ACTIVE
