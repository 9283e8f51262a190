from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import StoreScopedQuerySet
from taxfree.crypto import rotate


class PurchaseRecordQuerySet(StoreScopedQuerySet["PurchaseRecord"]):
    store_path = "store"

    def needs_review(self) -> PurchaseRecordQuerySet:
        """NG records, and warnings nobody has looked at yet: the officer's queue."""
        return self.filter(
            models.Q(state=PurchaseRecord.State.NG)
            | models.Q(state=PurchaseRecord.State.WARNING, reviewed_at__isnull=True)
        )

    def due(self, now: datetime) -> PurchaseRecordQuerySet:
        """Records a worker may claim now: waiting to be sent and past their back-off, or left in
        sending by a worker whose lease ran out (docs/architecture.md, invariant 4)."""
        State = PurchaseRecord.State
        ready = models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
        waiting = models.Q(state__in=[State.PENDING, State.WAITING]) & ready
        return self.filter(waiting | models.Q(state=State.SENDING, lease_until__lt=now))

    def unsent(self) -> PurchaseRecordQuerySet:
        """Records the NTA has not answered yet: pending, being sent, or waiting for a retry."""
        State = PurchaseRecord.State
        return self.filter(state__in=[State.PENDING, State.SENDING, State.WAITING])


class CustomsState(models.TextChoices):
    """docs/rules.md §4: a refund-method record waits for customs, then is confirmed (the refund
    becomes due), not confirmed (an item was missing: nothing is refunded) or expired (no
    confirmation by the last day: the sale stays taxable)."""

    AWAITING = "awaiting", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    NOT_CONFIRMED = "not_confirmed", _("not confirmed (items missing)")
    EXPIRED = "expired", _("expired (no confirmation in time)")


class PurchaseRecord(models.Model):
    """The outbox row: a purchase record (購入記録情報), its frozen payload and its sending state.

    docs/architecture.md, invariant 4: written in the sale's transaction; the 送信番号 is fixed at
    the first send and kept for every resend after an unknown outcome."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        OK = "ok", _("accepted (OK)")
        WARNING = "warning", _("accepted with warning (!!)")
        NG = "ng", _("rejected (NG)")
        WAITING = "waiting", _("waiting (NTA unreachable)")

    class Kind(models.TextChoices):
        SALE = "sale", _("sale")
        CANCELLATION = "cancellation", _("cancellation")

    CustomsState = CustomsState

    sale = models.OneToOneField("sales.Sale", on_delete=models.PROTECT, related_name="record", verbose_name=_("sale"))
    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="records", null=True, verbose_name=_("store")
    )
    sale_date = models.DateField(_("date of sale"), null=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    payload = models.JSONField(_("frozen payload data"))
    original_payload = models.JSONField(
        _("payload before correction"),
        null=True,
        blank=True,
        help_text=_("Kept when an officer corrects a rejected record."),
    )
    cancels = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancellations",
        verbose_name=_("cancels record"),
    )
    transmission_number = models.CharField(
        _("送信番号"),
        max_length=17,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set at the first send and kept for every resend."),
    )
    sender_identifier = models.CharField(_("sender 識別符号"), max_length=21, blank=True)
    api_version = models.CharField(_("API version"), max_length=2, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    failures = models.PositiveIntegerField(
        default=0, help_text=_("Unanswered attempts in a row: the back-off grows with them.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    result_messages = models.JSONField(_("NTA messages"), default=list, blank=True)
    last_error = models.CharField(_("last problem"), max_length=300, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    customs_state = models.CharField(
        _("customs confirmation"),
        max_length=14,
        choices=CustomsState.choices,
        blank=True,
        help_text=_("Refund-method sales only: where the customs confirmation (税関確認) stands."),
    )
    customs_deadline = models.DateField(_("last day for customs"), null=True, blank=True)
    customs_kind = models.CharField(_("税関確認情報区分"), max_length=1, blank=True)
    customs_confirmed_at = models.DateTimeField(_("confirmed by customs at"), null=True, blank=True)
    customs_checked_at = models.DateTimeField(
        _("customs checked at"),
        null=True,
        blank=True,
        help_text=_("Last query of this record alone (near its last day)."),
    )
    # Written with the refund, in its transaction (sales.refunds.services.refund_pay), so that the
    # refunds still to pay are found from an index however many were paid before them.
    refunded_at = models.DateTimeField(_("refund paid at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PurchaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase record")
        verbose_name_plural = _("purchase records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="record_due"),
            models.Index(fields=["-created_at", "-id"], name="record_created_desc"),
            models.Index(fields=["store", "-created_at"], name="record_store_created"),
            # The dispatcher's claim walks the unsent records oldest first: a small index however
            # many records were ever sent.
            models.Index(
                fields=["created_at", "id"],
                name="record_unsent",
                condition=models.Q(state__in=["pending", "sending", "waiting"]),
            ),
            # Records waiting for customs, by their last day: the expiry, the near-deadline queries
            # and the queue read only these.
            models.Index(
                fields=["customs_deadline", "id"],
                name="record_awaiting_customs",
                condition=models.Q(customs_state="awaiting"),
            ),
            models.Index(fields=["customs_state", "customs_deadline"], name="record_customs"),
            # The refunds queue lists confirmed records by when customs confirmed them.
            models.Index(fields=["customs_state", "customs_confirmed_at"], name="record_customs_confirmed"),
            # ... and the refunds due are the confirmed sales' records with no refund yet: a few.
            models.Index(
                fields=["customs_confirmed_at", "id"],
                name="record_refund_due",
                condition=models.Q(customs_state="confirmed", kind="sale", refunded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        number = self.transmission_number or f"#{self.pk}"
        return f"{self.get_kind_display()} {number} ({self.get_state_display()})"

    @property
    def accepted(self) -> bool:
        return self.state in (self.State.OK, self.State.WARNING)


class Attempt(models.Model):
    """One request to the NTA and what came of it. Request bodies are kept with the passport
    number masked; nothing here can be changed."""

    class Outcome(models.TextChoices):
        OK = "ok", _("accepted (OK)")
        WARNING = "warning", _("accepted with warning (!!)")
        NG = "ng", _("rejected (NG)")
        UNANSWERED = "unanswered", _("no answer (timeout, connection, 5xx)")
        PREFLIGHT = "preflight", _("refused before sending (pre-flight)")
        NO_CERTIFICATE = "no_certificate", _("no valid client certificate")

    record = models.ForeignKey(
        PurchaseRecord, on_delete=models.PROTECT, related_name="attempt_rows", verbose_name=_("purchase record")
    )
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    transmission_number = models.CharField(_("送信番号"), max_length=17, blank=True)
    api_version = models.CharField(_("API version"), max_length=2, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    messages = models.JSONField(_("messages"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    request_body = models.JSONField(_("request (passport number masked)"), null=True, blank=True)
    response_body = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("sending history")
        ordering = ["record", "started_at", "id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M:%S} {self.get_outcome_display()}"


BUYER_SECRETS = ("document_number", "passport_number")


def records_rotate() -> int:
    """The document and passport numbers inside the frozen payloads, under the current key."""
    count = 0
    for record in PurchaseRecord.objects.only("pk", "payload", "original_payload").iterator():
        payload, original = _rotated(record.payload), _rotated(record.original_payload)
        PurchaseRecord.objects.filter(pk=record.pk).update(payload=payload, original_payload=original)
        count += 1
    return count


def _rotated(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    if not payload or "buyer" not in payload:
        return payload
    buyer = payload["buyer"]
    for key in BUYER_SECRETS:
        if buyer.get(key):
            buyer[key] = rotate(buyer[key])
    return payload


# Models of the transmission side's packages live beside their code; Django finds them here.
from .customs.models import CustomsConfirmation as CustomsConfirmation  # noqa: E402
from .customs.models import PullWatermark as PullWatermark  # noqa: E402
