from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedTextField
from .roles import Actor, user_of


class AuditEvent(models.Model):
    """Who did or viewed what. Written in the same transaction as the change it records."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["-at", "-id"], name="audit_at_desc"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditAction(models.TextChoices):
    """The audit trail's action codes: `audit` refuses any other (the rows keep the stable code,
    the admin shows the label in the reader's language)."""

    ADMIN_ADD = "admin_add", _("added in the admin")
    ADMIN_CHANGE = "admin_change", _("changed in the admin")
    ADMIN_VIEW = "admin_view", _("opened in the admin")
    ATTACHMENT_DOWNLOAD = "attachment_download", _("filing attachment downloaded")
    CAPTURE = "capture", _("passport captured")
    CAPTURES_PURGE = "captures_purge", _("kept passport images deleted")
    CERTIFICATE_EXPORT = "certificate_export", _("certificate backed up")
    CERTIFICATE_IMPORT = "certificate_import", _("certificate imported")
    CUSTOMER_CHANGE = "customer_change", _("customer's identity changed")
    CUSTOMER_REGISTER = "customer_register", _("customer registered")
    CUSTOMER_VIEW = "customer_view", _("customer looked up")
    DOCUMENT_CHANGE = "document_change", _("identity document changed")
    DOCUMENT_PRINT = "document_print", _("document printed")
    EXPORT = "export", _("export downloaded")
    FIELD_KEYS_ROTATE = "field_keys_rotate", _("encryption keys rotated")
    FILING_APPLY = "filing_apply", _("filing applied")
    INSPECTOR_FILE = "inspector_file", _("inspector's file downloaded")
    JPKI_REVOKED = "jpki_revoked", _("My Number certificate revoked")
    LOGIN_UNLOCK = "login_unlock", _("login unlocked")
    OTP_LINK_ISSUE = "otp_link_issue", _("second-factor enrolment link issued")
    OTP_LINK_USE = "otp_link_use", _("second-factor enrolment link used")
    OTP_SETUP = "otp_setup", _("second factor set up")
    PAYOUT_ATTEMPT = "payout_attempt", _("refund payment sent to the provider")
    PAYOUT_BATCH = "payout_batch", _("bank payout file")
    PAYOUT_CHANGE = "payout_change", _("refund route changed")
    PAYOUT_FAIL = "payout_fail", _("refund payment failed")
    PERSONAL_DATA_EXPORT = "personal_data_export", _("customer's personal data exported")
    PERSONAL_DATA_FIND = "personal_data_find", _("customer found for a personal-data request")
    PRODUCT_CHANGE = "product_change", _("product changed through the API")
    PRODUCT_CREATE = "product_create", _("product added through the API")
    RECORD_CORRECT = "record_correct", _("purchase record corrected")
    RECORD_RESEND = "record_resend", _("purchase record sent again unchanged")
    RECORD_REVIEW = "record_review", _("warning reviewed")
    RECORD_SEND_NOW = "record_send_now", _("purchase record sent now")
    REFUND_PAY = "refund_pay", _("refund paid")
    REMINDER_MARK_DONE = "reminder_mark_done", _("reminder marked done")
    RETENTION_PURGE = "retention_purge", _("customers anonymised after the retention period")
    SALE_CANCEL = "sale_cancel", _("sale cancelled or returned")
    SALE_FINALIZE = "sale_finalize", _("sale finished")
    SALE_VIEW = "sale_view", _("sale opened")
    SIGNAL_DISMISS = "signal_dismiss", _("risk signal dismissed")
    SIGNAL_REOPEN = "signal_reopen", _("risk signal reopened")
    SIGNAL_REVIEW = "signal_review", _("risk signal reviewed")
    TOKEN_ISSUE = "token_issue", _("API token made")
    TOKEN_REVOKE = "token_revoke", _("API token revoked")
    WEBHOOK_ENDPOINT_CREATE = "webhook_endpoint_create", _("webhook endpoint added")
    WEBHOOK_ENDPOINT_DELETE = "webhook_endpoint_delete", _("webhook endpoint deleted")
    WEBHOOK_ENDPOINT_DISABLE = "webhook_endpoint_disable", _("webhook endpoint disabled after failing")
    WEBHOOK_DELIVERY_SEND_AGAIN = "webhook_delivery_send_again", _("webhook delivery sent again")


_together: ContextVar[list[AuditEvent] | None] = ContextVar("audits_together", default=None)


def audit(
    actor: Actor, action: AuditAction, obj: models.Model | type[models.Model], summary: str = "", **data: Any
) -> AuditEvent:
    """One row of the audit trail about `obj` (a row, or a model for a change to many of its rows).
    An unknown action code is a bug: ValueError, and the caller's transaction rolls back."""
    code = AuditAction(action)
    user = user_of(actor)
    object_id = "" if isinstance(obj, type) else str(obj.pk)
    event = AuditEvent(
        actor=user,
        action=code.value,
        object_type=obj._meta.label,
        object_id=object_id,
        summary=summary[:200],
        data=data,
    )
    _write_noted()
    batch = _together.get()
    if batch is None:
        event.save()
    else:
        batch.append(event)
    return event


# The claimed Idempotency-Key of the request being served (taxfree/idempotency.py); every write
# audits itself inside its transaction, so the audit marks the claim as written in that transaction.
idempotency_claim: ContextVar[list[int] | None] = ContextVar("idempotency_claim", default=None)


def _write_noted() -> None:
    claim = idempotency_claim.get()
    if claim:
        IdempotencyKey.objects.filter(pk=claim.pop()).update(written=True)


@contextmanager
def audits_together() -> Iterator[None]:
    """The audit rows of a workflow that writes several, in one INSERT as the block ends (inside
    the workflow's transaction: an error before then writes none of them, nor anything else)."""
    batch: list[AuditEvent] = []
    token = _together.set(batch)
    try:
        yield
    finally:
        _together.reset(token)
    AuditEvent.objects.bulk_create(batch)


class ApiToken(models.Model):
    """A till's or a POS integration's key to the API. Only a SHA-256 digest is kept: the token is
    shown once, when it is made. Named per device, with an expiry, revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("device or till"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def usable_at(self, now: datetime) -> bool:
        """Not revoked, not expired, and its user still active."""
        return self.revoked_at is None and self.expires_at > now and self.user.is_active


class EnrolmentLink(models.Model):
    """Lets one officer set up (or replace) their authenticator: issued by another officer, who hands
    it over in person, for a user without an e-mail address or who lost their phone. The password
    alone never enrols an authenticator. Only a SHA-256 digest is kept; used once, expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second-factor enrolment link")
        verbose_name_plural = _("second-factor enrolment links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"

    def usable_at(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class Notice(models.Model):
    """An e-mail to someone outside the office (a traveller), written by the layer that knows of the
    event in that event's transaction and delivered after the commit by `taxfree.notices` — each
    notice once (its key), retried while the mail server is down (docs/architecture.md)."""

    class State(models.TextChoices):
        PENDING = "pending", _("to send")
        SENT = "sent", _("sent")
        FAILED = "failed", _("refused by the mail server")

    key = models.CharField(_("key"), max_length=120, unique=True)
    to = EncryptedTextField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = EncryptedTextField(_("text"))
    about = models.CharField(_("about"), max_length=60, blank=True, help_text=_("The object it is about."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last problem"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice to a traveller")
        verbose_name_plural = _("notices to travellers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="notice_created_desc"),
            models.Index(fields=["next_attempt_at"], name="notice_due", condition=models.Q(state="pending")),
            models.Index(fields=["about"], name="notice_about"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_state_display()})"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` on a write (IETF httpapi draft "The Idempotency-Key HTTP
    Header Field"), per token (or per user for a session): claimed by inserting this row before the
    write, so two requests with one key never both write; the answer is kept for 24 h and replayed.
    `written` is set inside the write's own transaction: a claim whose request died before it can be
    taken over, one whose write committed never is."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    written = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="unique_idempotency_key_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} → {self.status}"
