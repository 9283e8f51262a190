from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import Business, Store, StoreScopedQuerySet
from taxfree.countries import validate_nationality
from taxfree.crypto import EncryptedTextField, blind_index
from taxfree.masking import masked
from taxfree.text import document_number
from transmission.validators import (
    validate_birth_date,
    validate_detail,
    validate_document_numbers,
    validate_item_name,
    validate_name,
    validate_name_part,
    validate_yen,
)

from .choices import (
    Category,
    DocumentType,
    LiquorCategory,
    Packing,
    ProofDocument,
    Regime,
    Sex,
    StatusOfResidence,
    TaxRate,
)
from .rules import money
from .validators import validate_jan


class CustomerQuerySet(StoreScopedQuerySet["Customer"]):
    pass


class Customer(models.Model):
    """A buyer as identified at the till. Personal data: every staff view is audited."""

    store = models.ForeignKey(
        Store,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=_("The store where the customer was registered."),
        verbose_name=_("store"),
    )
    # What the purchase record carries (transmission/wire/limits.py): names as in the MRZ.
    family_name = models.CharField(_("family name"), max_length=100, validators=[validate_name_part])
    given_names = models.CharField(_("given names"), max_length=100, blank=True, validators=[validate_name_part])
    nationality = models.CharField(
        _("nationality"),
        max_length=3,
        validators=[validate_nationality],
        help_text=_("ISO 3166-1 alpha-3 (JPN for Japanese nationals)."),
    )
    birth_date = models.DateField(_("birth date"), validators=[validate_birth_date])
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    works_in_japan = models.BooleanField(_("works at an office in Japan"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # docs/rules.md §9: past the retention period the identity goes and the sales' amounts stay.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        # The admin's and the staff's lists walk these orders: an index each, flat at any size.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_created_desc"),
            models.Index(fields=["store", "-created_at"], name="customer_store_created"),
            # The risk signals at a sale's finish (sales/watch): the store's buyers by birth date, by name.
            models.Index(fields=["store", "birth_date"], name="customer_store_birth"),
            models.Index(fields=["store", "family_name", "given_names"], name="customer_store_name"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_names}".strip()

    def clean(self) -> None:
        validate_name(self.family_name, self.given_names)


class IdentityDocumentQuerySet(models.QuerySet["IdentityDocument"]):
    def with_number(self, number: str) -> Self:
        return self.filter(number_index=blind_index(number))


class IdentityDocument(models.Model):
    """The document shown at the till, with the facts read from it (docs/rules.md §1)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="documents", verbose_name=_("customer")
    )
    document_type = models.CharField(_("document type"), max_length=40, choices=DocumentType.choices)
    number = EncryptedTextField(_("document number"))
    number_index = models.CharField(max_length=64, db_index=True, editable=False)
    issuing_country = models.CharField(
        _("issuing country"), max_length=3, blank=True, validators=[validate_nationality]
    )
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    passport_number = EncryptedTextField(
        _("passport number (with a landing permit)"),
        blank=True,
        help_text=_("Under the refund method the record carries the passport number."),
    )
    status_of_residence = models.CharField(
        _("status of residence (在留資格)"),
        max_length=30,
        choices=StatusOfResidence.choices,
        blank=True,
    )
    landing_date = models.DateField(_("landing date"), null=True, blank=True)
    has_landing_stamp = models.BooleanField(_("landing (or return) stamp present"), default=False)
    proof_document = models.CharField(
        _("proof of living abroad"), max_length=40, choices=ProofDocument.choices, blank=True
    )
    moved_abroad_date = models.DateField(_("date of moving abroad (国外転出日)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = IdentityDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="document_created_desc")]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.masked_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.number = document_number(self.number or "")
        self.number_index = blind_index(self.number)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        validate_document_numbers(
            self.document_type, self.number or "", self.passport_number or "", number_field="number"
        )

    @property
    def masked_number(self) -> str:
        return masked(self.number)


class Product(models.Model):
    """The product master of a business."""

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="products", verbose_name=_("business")
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_item_name])
    jan_code = models.CharField(_("JAN code"), max_length=13, blank=True, validators=[validate_jan])
    unit_price = models.PositiveIntegerField(_("unit price (yen)"), validators=[validate_yen])
    price_includes_tax = models.BooleanField(_("price includes consumption tax"), default=True)
    tax_rate = models.CharField(_("tax rate"), max_length=10, choices=TaxRate.choices, default=TaxRate.STANDARD)
    category = models.CharField(
        _("category (legacy regime)"), max_length=12, choices=Category.choices, default=Category.GENERAL
    )
    liquor_category = models.CharField(_("liquor category"), max_length=20, choices=LiquorCategory.choices, blank=True)
    alcohol_percent = models.DecimalField(
        _("alcohol %"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    volume_ml = models.PositiveIntegerField(_("container volume (ml)"), null=True, blank=True)
    excluded = models.BooleanField(_("excluded from tax-free sale"), default=False)
    detail_template = models.CharField(
        _("商品情報詳細 template"), max_length=80, blank=True, validators=[validate_detail]
    )
    serial_expected = models.BooleanField(_("has a serial number"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # What `GET /api/v1/products/?updated_after=` pages by, with the id (sales/api/sync.py): every save
    # (the admin, the API) takes it inside its transaction.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="product_updated"),
            models.Index(fields=["business", "updated_at", "id"], name="product_business_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "jan_code"], condition=~models.Q(jan_code=""), name="unique_jan_per_business"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def refund_due_sql(sale: str = "pk", refund_amount: str = "refund_amount") -> Combinable:
    """The refund due in SQL (docs/rules.md §4): the sale's own refund plus what its returns took
    off (their negative changes). `sale` and `refund_amount` are the paths to the sale's id and
    refund from the rows queried (from a purchase record: "sale_id", "sale__refund_amount").
    Its Python twin is `sales.returns.refund_due`; tests/sales/test_returns.py holds them equal."""
    returns = (
        Sale.objects.filter(cancels=OuterRef(sale))
        .order_by()
        .values("cancels")
        .annotate(s=Sum("refund_amount"))
        .values("s")
    )
    return F(refund_amount) + Coalesce(Subquery(returns), 0)


class SaleQuerySet(StoreScopedQuerySet["Sale"]):
    def with_refund_due(self) -> Self:
        """Each sale with `refund_due` (an int), counted in the database."""
        return self.annotate(refund_due=refund_due_sql())

    def touch(self) -> int:
        """Mark these sales changed (incremental sync, issue 28): called in the transaction of every
        change to what the sales API shows of a sale (its record, customs, refund, payout, returns)."""
        return self.update(updated_at=timezone.now())


class SaleItemQuerySet(models.QuerySet["SaleItem"]):
    def returnable_quantities(self, sale: Sale) -> dict[int, int]:
        """Per line of the sale, how many units have not been cancelled yet: its lines plus its
        cancellations' (negative, numbered as the original), summed per line in one query."""
        rows = (
            self.filter(Q(sale=sale) | Q(sale__cancels=sale))
            .order_by()
            .values("line")
            .annotate(left=Sum("quantity"))
            .values_list("line", "left")
        )
        return dict(sorted(rows))


class Sale(models.Model):
    """A finished tax-free sale or the cancellation of one. Immutable once written."""

    class Kind(models.TextChoices):
        SALE = "sale", _("sale")
        CANCELLATION = "cancellation", _("cancellation")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="sales", verbose_name=_("store"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sales", verbose_name=_("customer"))
    document = models.ForeignKey(
        IdentityDocument, on_delete=models.PROTECT, related_name="sales", verbose_name=_("identity document")
    )
    temporary_site = models.ForeignKey(
        "stores.TemporarySite",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
        verbose_name=_("temporary site"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SALE)
    cancels = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancellations",
        help_text=_("For a cancellation or return: the sale it cancels."),
        verbose_name=_("cancels"),
    )
    sold_at = models.DateTimeField(_("sold at"))
    sale_date = models.DateField(_("date of sale (譲渡日)"))
    regime = models.CharField(_("regime"), max_length=10, choices=Regime.choices)
    total_excl_tax = models.BigIntegerField(_("total excl. tax"))
    total_tax = models.BigIntegerField(_("consumption tax"))
    refund_amount = models.BigIntegerField(_("refund amount"))
    refund_withheld = models.BigIntegerField(
        _("refund withheld"),
        default=0,
        help_text=_(
            "For a return after the refund was paid: the part of the paid refund kept back from what "
            "the customer is paid back."
        ),
    )
    packing = models.CharField(_("packing"), max_length=30, choices=Packing.choices, blank=True)
    decision = models.JSONField(_("decision"), default=dict)
    customer_language = models.CharField(_("customer language"), max_length=10, blank=True)
    acknowledged_at = models.DateTimeField(_("rules acknowledged at"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("entered by")
    )

    # What `GET /api/v1/sales/?updated_after=` pages by, with the id (sales/api/sync.py).
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    objects = SaleQuerySet.as_manager()

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="sale_updated"),
            models.Index(fields=["store", "updated_at", "id"], name="sale_store_updated"),
            models.Index(fields=["-sold_at", "-id"], name="sale_sold_at_desc"),
            models.Index(fields=["customer", "store", "sale_date"], name="sale_same_day"),
            models.Index(fields=["store", "-sold_at"], name="sale_store_sold_at"),
            # A document's recent sales, for the risk signals (sales/watch).
            models.Index(fields=["document", "sale_date"], name="sale_document_date"),
        ]

    def __str__(self) -> str:
        label = (
            _("Cancellation #%(id)s of %(date)s")
            if self.kind == self.Kind.CANCELLATION
            else _("Sale #%(id)s of %(date)s")
        )
        return str(label) % {"id": self.pk, "date": self.sale_date}

    @property
    def total_incl_tax(self) -> int:
        return self.total_excl_tax + self.total_tax


class SaleSubmission(models.Model):
    """One request to finish a sale, by the key its sender gave it (the till's draft). Unique per
    user and written first in the sale's transaction: a second request with the same key (a double
    tap on Finish, a second tab, a retry) waits for the first and then finds its sale instead of
    writing another."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    sale = models.ForeignKey(Sale, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sale submission")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_submission_per_user")]

    def __str__(self) -> str:
        return f"{self.key} → {self.sale_id}"


class SaleItem(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="items", verbose_name=_("sale"))
    line = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    name = models.CharField(_("name"), max_length=200)
    jan_code = models.CharField(_("JAN code"), max_length=13, blank=True)
    quantity = models.IntegerField(_("quantity"), help_text=_("Negative on a cancellation."))
    unit_price = models.BigIntegerField(_("unit price"))
    price_includes_tax = models.BooleanField(_("price includes tax"))
    tax_rate = models.CharField(_("tax rate"), max_length=10, choices=TaxRate.choices)
    rate_percent = models.PositiveSmallIntegerField(_("rate %"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    detail = models.CharField(_("商品情報詳細"), max_length=80, blank=True)
    serial = models.CharField(_("serial number"), max_length=20, blank=True)
    liquor_category = models.CharField(_("liquor category"), max_length=20, choices=LiquorCategory.choices, blank=True)
    alcohol_percent = models.DecimalField(_("alcohol %"), max_digits=4, decimal_places=1, null=True, blank=True)
    volume_ml = models.PositiveIntegerField(_("volume (ml)"), null=True, blank=True)
    liquor_tax_per_unit = models.IntegerField(_("liquor tax per unit"), default=0)
    unit_price_excl_tax = models.BigIntegerField(_("unit price excl. tax"))

    objects = SaleItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("sale item")
        verbose_name_plural = _("sale items")
        ordering = ["sale", "line"]
        constraints = [models.UniqueConstraint(fields=["sale", "line"], name="unique_sale_line")]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def amount_excl_tax(self) -> int:
        return self.unit_price_excl_tax * self.quantity

    @property
    def taxable_unit_price(self) -> int:
        """The unit price the sale's tax was computed on (less an exempted liquor tax)."""
        return money.taxable_unit_price(
            self.unit_price,
            self.unit_price_excl_tax,
            self.liquor_tax_per_unit,
            self.rate_percent,
            self.price_includes_tax,
        )


# Models of the till's packages live beside their code; Django finds them through this module.
from .capture.models import PassportCapture  # noqa: E402, F401

# Models of the exports package.
from .exports.models import ExportJob  # noqa: E402, F401

# Models of the refunds package.
from .refunds.models import Refund  # noqa: E402, F401
from .refunds.payouts.models import Payout, PayoutAccount, PayoutAttempt, PayoutBatch  # noqa: E402, F401

# Models of the watch package (risk signals).
from .watch.models import Signal  # noqa: E402, F401
