from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import Store, StoreScopedQuerySet


class RefundQuerySet(StoreScopedQuerySet["Refund"]):
    store_path = "store"


class Refund(models.Model):
    """The consumption tax paid back on a confirmed refund-method sale: one per sale, never edited."""

    class Channel(models.TextChoices):
        CASH = "cash", _("cash at the counter")
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        CARD = "card", _("refund to the card")
        PAYPAL = "paypal", _("PayPal")
        OPERATOR = "operator", _("refund operator")

    class FeeBorneBy(models.TextChoices):
        SHOP = "shop", _("the shop")
        CUSTOMER = "customer", _("the customer")

    sale = models.OneToOneField("sales.Sale", on_delete=models.PROTECT, related_name="refund", verbose_name=_("sale"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("store"))
    due = models.BigIntegerField(_("refund due"))
    fee = models.BigIntegerField(_("fee"), default=0)
    fee_borne_by = models.CharField(
        _("fee borne by"), max_length=10, choices=FeeBorneBy.choices, default=FeeBorneBy.SHOP
    )
    paid = models.BigIntegerField(_("paid to the customer"))
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    operator_name = models.CharField(
        _("refund operator"),
        max_length=100,
        blank=True,
        help_text=_("When the refund was handed to a refund operator (delegated)."),
    )
    paid_at = models.DateTimeField(_("paid at"))
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-paid_at", "-id"]
        indexes = [
            models.Index(fields=["-paid_at", "-id"], name="refund_paid_desc"),
            models.Index(fields=["store", "-paid_at"], name="refund_store_paid"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fee__gte=0, paid__gt=0, paid__lte=models.F("due")), name="refund_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"¥{self.paid:,} ({self.get_channel_display()})"

    @property
    def delegated(self) -> bool:
        return self.channel == self.Channel.OPERATOR
