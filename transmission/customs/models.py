from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomsConfirmation(models.Model):
    """One 税関確認情報 as the NTA returned it. Never edited: the record's customs state is what
    follows from these rows."""

    class Kind(models.TextChoices):
        # [design] the two 税関確認情報区分 values are not public yet (docs/rules.md §4).
        GATE = "1", _("1: confirmed at departure")
        INSPECTED = "2", _("2: confirmed after inspection")

    record = models.ForeignKey(
        "transmission.PurchaseRecord",
        on_delete=models.PROTECT,
        related_name="confirmations",
        verbose_name=_("purchase record"),
    )
    kind = models.CharField(_("税関確認情報区分"), max_length=1, choices=Kind.choices)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    registered_at = models.DateTimeField(_("registered at the NTA"), null=True, blank=True)
    complete = models.BooleanField(_("every item confirmed"))
    missing_lines = models.JSONField(_("items customs did not confirm"), default=list, blank=True)
    raw = models.JSONField(_("as received"))
    pulled_at = models.DateTimeField(_("pulled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customs confirmation")
        verbose_name_plural = _("customs confirmations")
        ordering = ["-pulled_at", "-id"]
        constraints = [
            # Pulling the same result twice (the overlap, a per-record query) stores it once.
            models.UniqueConstraint(fields=["record", "kind", "confirmed_at"], name="confirmation_once"),
        ]
        indexes = [models.Index(fields=["-pulled_at", "-id"], name="confirmation_pulled_desc")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.get_kind_display()} {self.confirmed_at:%Y-%m-%d}"


class PullWatermark(models.Model):
    """Up to when confirmations were pulled for one sender; the next pull starts before it."""

    sender_identifier = models.CharField(_("sender 識別符号"), max_length=21, unique=True)
    pulled_until = models.DateTimeField(_("pulled until"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pull watermark")

    def __str__(self) -> str:
        return f"{self.sender_identifier} → {self.pulled_until:%Y-%m-%d %H:%M}"
