from __future__ import annotations

from datetime import date
from typing import Self, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from taxfree.dates import add_months
from taxfree.roles import Actor, sees_all_stores

from .. import deadlines
from ..validators import validate_corporate_number, validate_store_identifier


class Business(models.Model):
    """事業者: the taxable business holding the permits."""

    name = models.CharField(_("name"), max_length=200)
    corporate_number = models.CharField(
        _("corporate number (法人番号)"),
        max_length=13,
        unique=True,
        blank=True,
        null=True,
        validators=[validate_corporate_number],
    )
    is_taxable = models.BooleanField(_("taxable business (課税事業者)"), default=True)
    tax_payment_place = models.CharField(_("place of tax payment (納税地)"), max_length=300)
    tax_office = models.CharField(_("tax office (所轄税務署)"), max_length=100)
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        _("fiscal year ends with the month"),
        null=True,
        blank=True,
        choices=[(m, str(m)) for m in range(1, 13)],
        help_text=_(
            "The month whose last day ends the business's fiscal year (taxable period): 12 for a sole "
            "proprietor. Records are kept seven years from two months after it; nothing is purged until it is set."
        ),
    )
    registered_email = models.EmailField(_("e-mail registered with the tax office"), blank=True)
    temporary_sites_approved_on = models.DateField(
        _("temporary-site approval (臨時販売場を設置する事業者の承認)"), null=True, blank=True
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="businesses",
        verbose_name=_("compliance officers"),
        help_text=_("They receive the reminders by e-mail."),
    )

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.is_taxable and self.pk and self.stores.filter(permit_date__isnull=False).exists():
            raise ValidationError({"is_taxable": _("A business holding store permits must stay a taxable business.")})


_M = TypeVar("_M", bound=models.Model)


class StoreScopedQuerySet(models.QuerySet[_M]):
    """Rows that belong to a store, seen by the store's staff; officers and accountants see all.

    `store_path` is the lookup from the row to its store. Users who see every store get no
    condition at all (no sub-select over a big table)."""

    store_path = "store"

    def visible_to(self, user: Actor) -> Self:
        if sees_all_stores(user):
            return self
        return self.filter(**{"__".join(filter(None, [self.store_path, "staff"])): user})


class StoreQuerySet(StoreScopedQuerySet["Store"]):
    store_path = ""

    def operating(self) -> Self:
        return self.filter(status=Store.Status.OPERATING)


class Store(models.Model):
    """輸出物品販売場: one permit per store."""

    class PermitType(models.TextChoices):
        GENERAL = "general", _("general (一般型)")
        DELEGATED = "delegated", _("procedure delegated (手続委託型)")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("preparing (awaiting permit or 識別符号)")
        OPERATING = "operating", _("operating")
        ABOLISHED = "abolished", _("abolished")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="stores", verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    manager_name = models.CharField(_("manager"), max_length=100)
    permit_type = models.CharField(
        _("permit type"), max_length=20, choices=PermitType.choices, default=PermitType.GENERAL
    )
    permit_date = models.DateField(_("permit date"), null=True, blank=True)
    identifier = models.CharField(
        _("store identifier (販売場識別符号)"),
        max_length=21,
        blank=True,
        validators=[validate_store_identifier],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPERATING)
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True)
    liquor_export = models.BooleanField(
        _("liquor export store (輸出酒類販売場)"),
        default=False,
        help_text=_("Only a liquor export store also exempts liquor tax."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="stores", verbose_name=_("store staff")
    )

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["business__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier"], condition=~models.Q(identifier=""), name="unique_store_identifier"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.permit_date and self.business_id and not self.business.is_taxable:
            errors["permit_date"] = _("A non-taxable business cannot hold a tax-free permit.")
        if self.status == self.Status.ABOLISHED and not self.abolished_on:
            errors["abolished_on"] = _("Give the date of abolition.")
        if self.status == self.Status.OPERATING and not (self.identifier and self.permit_date):
            errors["status"] = _("A store sells tax-free only with its permit date and its 販売場識別符号.")
        if errors:
            raise ValidationError(errors)

    def sells_on(self, day: date) -> bool:
        if self.status == self.Status.ABOLISHED and self.abolished_on and day >= self.abolished_on:
            return False
        if self.status == self.Status.PREPARING or not self.identifier:
            return False
        return self.permit_date is not None and self.permit_date <= day


class TemporarySite(models.Model):
    """臨時販売場: a short-lived site of a permitted business (docs/rules.md §7)."""

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="temporary_sites", verbose_name=_("business")
    )
    store = models.ForeignKey(
        Store,
        on_delete=models.PROTECT,
        related_name="temporary_sites",
        help_text=_("The permitted store the site is attached to."),
        verbose_name=_("store"),
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    notice_filed_on = models.DateField(_("設置届出書 filed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("temporary site")
        verbose_name_plural = _("temporary sites")
        ordering = ["-opens_on"]

    def __str__(self) -> str:
        return f"{self.name} ({self.opens_on}–{self.closes_on})"

    def sells_on(self, day: date) -> bool:
        """docs/rules.md §7: only between its dates, and only when the 設置届出書 was filed the day before."""
        filed_in_time = self.notice_filed_on is not None and self.notice_filed_on <= self.notice_due_on
        return filed_in_time and self.opens_on <= day <= self.closes_on

    @property
    def notice_due_on(self) -> date:
        # A setup notice always has a due date: the day before the site opens.
        return cast(date, deadlines.filing_due_on("temporary_site_setup", self.opens_on))

    def clean(self) -> None:
        errors = {}
        if self.opens_on and self.closes_on:
            if self.closes_on < self.opens_on:
                errors["closes_on"] = _("The site cannot close before it opens.")
            elif self.closes_on >= add_months(self.opens_on, deadlines.TEMPORARY_SITE_MAX_MONTHS):
                errors["closes_on"] = _("A temporary site lasts at most 7 months.")
        if self.business_id:
            if not self.business.temporary_sites_approved_on:
                errors["business"] = _("The business has no approval to set up temporary sites.")
            if self.store_id and self.store.business_id != self.business_id:
                errors["store"] = _("The store belongs to another business.")
            elif self.store_id and not self.store.permit_date:
                errors["store"] = _("Only a business holding a permit may open temporary sites.")
        if errors:
            raise ValidationError(errors)
