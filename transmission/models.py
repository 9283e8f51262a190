from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import StoreScopedQuerySet


class PurchaseRecordQuerySet(StoreScopedQuerySet):
    store_path = "sale__store"


class PurchaseRecord(models.Model):
    """The outbox row: a purchase record (購入記録情報) and its frozen payload data."""

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

    sale = models.OneToOneField("sales.Sale", on_delete=models.PROTECT, related_name="record")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    payload = models.JSONField(_("frozen payload data"))
    transmission_number = models.CharField(
        _("送信番号"), max_length=17, null=True, blank=True, unique=True,
        help_text=_("Set at the first send and kept for every resend."),
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PurchaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase record")
        verbose_name_plural = _("purchase records")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="record_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"
