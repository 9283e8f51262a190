"""How a refund reaches a traveller who has left Japan: the route chosen for a sale, each try to move
the money (a card refund at the provider, a line of a bank payout file) and the files themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import Business, Store, StoreScopedQuerySet
from taxfree.crypto import EncryptedTextField

if TYPE_CHECKING:
    from taxfree.roles import Actor


class Method(models.TextChoices):
    LATER = "later", _("the traveller chooses")
    CARD = "card", _("refund to the card")
    BANK_TRANSFER = "bank_transfer", _("bank transfer")
    PAYPAL = "paypal", _("PayPal")
    OPERATOR = "operator", _("refund operator")


class PayoutQuerySet(StoreScopedQuerySet["Payout"]):
    store_path = "store"


class Payout(models.Model):
    """The refund route of one refund-method sale: chosen at the till, changed by the traveller or
    the office until the refund is paid. Details are encrypted; `masked` is what anyone is shown."""

    Method = Method

    sale = models.OneToOneField("sales.Sale", on_delete=models.PROTECT, related_name="payout", verbose_name=_("sale"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    method = models.CharField(_("route"), max_length=15, choices=Method.choices, default=Method.LATER)
    details = EncryptedTextField(_("payout details"), blank=True, help_text=_("JSON, encrypted at rest."))
    masked = models.CharField(_("payout details (masked)"), max_length=200, blank=True)
    card_provider = models.CharField(_("card payment provider"), max_length=20, blank=True)
    card_payment = models.CharField(_("card payment reference"), max_length=100, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last four digits"), max_length=4, blank=True)
    email = EncryptedTextField(_("e-mail for notices"), blank=True)
    language = models.CharField(_("language of notices"), max_length=10)
    consent_at = models.DateTimeField(_("privacy notice accepted at"), null=True, blank=True)
    failure = models.CharField(_("last failed payment"), max_length=200, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    details_erased_at = models.DateTimeField(_("details erased at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.CharField(_("changed by"), max_length=10, blank=True)

    objects = PayoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund route")
        verbose_name_plural = _("refund routes")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.masked}".strip()

    @property
    def card_known(self) -> bool:
        return bool(self.card_payment)

    @property
    def card_masked(self) -> str:
        return f"{self.card_brand.upper()} •••• {self.card_last4}".strip() if self.card_known else ""


class AttemptQuerySet(StoreScopedQuerySet["PayoutAttempt"]):
    store_path = "sale__store"


class PayoutAttempt(models.Model):
    """One try to pay a refund. Written (with its idempotency key) before any money moves, so that a
    retry after a lost answer asks the provider with the same key and never pays twice."""

    class Route(models.TextChoices):
        STRIPE = "stripe", _("card refund through Stripe")
        MANUAL = "manual", _("card refund on the terminal")
        BANK_FILE = "bank_file", _("bank payout file")

    class State(models.TextChoices):
        REQUESTED = "requested", _("asked: outcome not known yet")
        PENDING = "pending", _("under way")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("withdrawn")

    IN_FLIGHT = (State.REQUESTED, State.PENDING)

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("route"))
    sale = models.ForeignKey("sales.Sale", on_delete=models.PROTECT, related_name="+", verbose_name=_("sale"))
    route = models.CharField(_("how"), max_length=10, choices=Route.choices)
    amount = models.BigIntegerField(_("amount paid"))
    fee = models.BigIntegerField(_("fee"), default=0)
    fee_borne_by = models.CharField(_("fee borne by"), max_length=10, default="shop")
    idempotency_key = models.CharField(_("idempotency key"), max_length=60, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    failure_reason = models.CharField(_("reason of the failure"), max_length=200, blank=True)
    last_error = models.CharField(_("last problem"), max_length=300, blank=True)
    batch = models.ForeignKey(
        "PayoutBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="items", verbose_name=_("file")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund payment")
        verbose_name_plural = _("refund payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One payment of a refund under way at a time: the same refund is never in two files,
            # nor in a file and at the card provider, whoever asks at the same moment.
            models.UniqueConstraint(
                fields=["payout"], condition=models.Q(state__in=["requested", "pending"]), name="one_payment_in_flight"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0, fee__gte=0), name="attempt_amounts"),
        ]
        indexes = [
            models.Index(fields=["state", "route"], name="attempt_open", condition=models.Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"#{self.sale_id} ¥{self.amount:,} {self.get_route_display()} ({self.get_state_display()})"

    @property
    def in_flight(self) -> bool:
        return self.state in self.IN_FLIGHT


class PayoutAccount(models.Model):
    """The business's own account the bank payout files are paid from (the debtor)."""

    business = models.OneToOneField(
        Business, on_delete=models.PROTECT, related_name="payout_account", verbose_name=_("business")
    )
    holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    bic = models.CharField(_("SWIFT/BIC"), max_length=11)
    bank_country = models.CharField(_("bank country"), max_length=2, default="JP")
    currency = models.CharField(_("currency"), max_length=3, default="JPY")

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return f"{self.holder} ({self.bic})"


class BatchQuerySet(models.QuerySet["PayoutBatch"]):
    def visible_to(self, user: Actor) -> BatchQuerySet:
        from taxfree.roles import sees_all_stores

        return self if sees_all_stores(user) else self.none()


class PayoutBatch(models.Model):
    """A bank payout file: ISO 20022 pain.001 for the bank and a CSV to read, kept (encrypted) as
    written, so that downloading it again gives the same bytes."""

    class State(models.TextChoices):
        WRITTEN = "written", _("written, not sent yet")
        SENT = "sent", _("sent to the bank")
        CLOSED = "closed", _("every line settled")
        CANCELLED = "cancelled", _("withdrawn before sending")

    account = models.ForeignKey(PayoutAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    message_id = models.CharField(_("message id (MsgId)"), max_length=35, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WRITTEN)
    count = models.PositiveIntegerField(_("transfers"))
    total = models.BigIntegerField(_("total"))
    execution_date = models.DateField(_("requested execution date"))
    xml = EncryptedTextField(_("pain.001 file"))
    csv = EncryptedTextField(_("CSV file"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank payout file")
        verbose_name_plural = _("bank payout files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.count}, ¥{self.total:,})"
