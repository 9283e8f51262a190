from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import Store, StoreScopedQuerySet


class SignalQuerySet(StoreScopedQuerySet["Signal"]):
    store_path = "store"

    def open(self) -> SignalQuerySet:
        return self.filter(state=Signal.State.OPEN)


class Signal(models.Model):
    """A pattern across sales a compliance officer should look at (docs/rules.md §8): one row per
    rule and subject (a document's keyed hash, a sale, a till's day), the sales behind it kept with
    it. A caution, never a refusal."""

    class Code(models.TextChoices):
        SEVERAL_STORES = "several_stores", _("same document at several stores")
        FREQUENT = "frequent", _("same document buying often")
        UNDER_LIMIT = "under_limit", _("totals just under a limit")
        CONSUMABLES = "consumables", _("consumables beyond personal use")
        NEAR_SIX_MONTHS = "near_six_months", _("stay near the six-month line")
        SAME_IDENTITY = "same_identity", _("several documents, one name or birth date")
        REFUND_UNCONFIRMED = "refund_unconfirmed", _("refund without a customs confirmation")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        REVIEWED = "reviewed", _("reviewed")
        DISMISSED = "dismissed", _("dismissed")

    code = models.CharField(_("signal"), max_length=30, choices=Code.choices)
    # What the signal is about, never in clear: a document's keyed hash, "sale:<id>", a till's day.
    subject = models.CharField(_("subject"), max_length=120, editable=False)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="signals", verbose_name=_("store"))
    sales = models.ManyToManyField("sales.Sale", related_name="signals", verbose_name=_("sales"))
    params = models.JSONField(_("facts"), default=dict, blank=True)
    last_sale_date = models.DateField(_("latest sale"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["code", "subject"], name="one_signal_per_subject")]
        indexes = [
            models.Index(fields=["state", "-raised_at", "-id"], name="signal_queue"),
            models.Index(fields=["store", "state"], name="signal_store_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} #{self.pk}"
