from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..validators import validate_store_identifier
from .business import Business, Store, TemporarySite


def private_storage() -> FileSystemStorage:
    # Outside MEDIA_ROOT and never served directly: downloads go through a permission check.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


# docs/rules.md §7: attachments of the permit application; only the floor plan is required.
PERMIT_CHECKLIST = {
    "floor_plan": (_("floor plan (required)"), True),
    "staff_manual": (_("staff manual"), False),
    "staffing_layout": (_("staffing layout"), False),
    "business_description": (_("business description"), False),
    "product_list": (_("product list"), False),
    "sample_purchase_record": (_("sample purchase record"), False),
}


class Filing(models.Model):
    """A notice or application to the tax office (届出・申請) and its deadline (docs/rules.md §7)."""

    class Kind(models.TextChoices):
        PERMIT_APPLICATION = "permit_application", _("permit application (輸出物品販売場許可申請書)")
        PROVISION_METHOD = "provision_method", _("購入記録情報の提供方法等の届出書")
        APPROVED_SENDER = "approved_sender", _("approved sender application (承認送受信事業者承認申請書)")
        IDENTIFIER_NOTICE = "identifier_notice", _("識別符号 notice received (識別符号通知書)")
        TEMPORARY_SITE_APPROVAL = "temporary_site_approval", _("temporary-site approval application")
        TEMPORARY_SITE_SETUP = "temporary_site_setup", _("臨時販売場設置届出書")
        CHANGE = "change", _("change notice (変更届出書)")
        RELOCATION = "relocation", _("relocation notice (移転)")
        ABOLITION = "abolition", _("abolition notice (輸出物品販売場廃止届出書)")

    class Status(models.TextChoices):
        TODO = "todo", _("to do")
        FILED = "filed", _("filed")
        ACCEPTED = "accepted", _("accepted")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="filings", verbose_name=_("business"))
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="filings", null=True, blank=True, verbose_name=_("store")
    )
    temporary_site = models.ForeignKey(
        TemporarySite,
        on_delete=models.PROTECT,
        related_name="filings",
        null=True,
        blank=True,
        verbose_name=_("temporary site"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TODO)
    effective_on = models.DateField(
        _("effective on"),
        null=True,
        blank=True,
        help_text=_("The day of the event: opening, move or abolition."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    identifier = models.CharField(
        _("識別符号 notified"), max_length=21, blank=True, validators=[validate_store_identifier]
    )
    e_certificate_required = models.BooleanField(_("e-certificate required"), default=False)
    checklist = models.JSONField(_("attachment checklist"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["status", "due_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.store or self.temporary_site or self.business}"

    def clean(self) -> None:
        errors = {}
        required: dict[str, tuple[str, ...]] = {
            self.Kind.IDENTIFIER_NOTICE: ("store", "identifier"),
            self.Kind.TEMPORARY_SITE_SETUP: ("temporary_site",),
            self.Kind.RELOCATION: ("store", "effective_on"),
            self.Kind.ABOLITION: ("store", "effective_on"),
        }
        needs = required.get(self.kind, ())
        for field in needs:
            if not getattr(self, field if field != "store" and field != "temporary_site" else f"{field}_id"):
                errors[field] = _("Required for this kind of filing.")
        done = self.status in (self.Status.FILED, self.Status.ACCEPTED)
        if self.kind == self.Kind.PERMIT_APPLICATION and done and not self.checklist.get("floor_plan"):
            errors["status"] = _("A permit application is filed with its floor plan (required attachment).")
        if self.store is not None and self.business_id and self.store.business_id != self.business_id:
            errors["store"] = _("The store belongs to another business.")
        if errors:
            raise ValidationError(errors)


class FilingAttachment(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("filing"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="filings/%Y/")
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.description or self.file.name or ""


class Reminder(models.Model):
    """Something that needs attention, raised once per event and e-mailed once."""

    key = models.CharField(max_length=120, unique=True)
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("business")
    )
    subject = models.CharField(_("subject"), max_length=200, help_text=_("As e-mailed, in the office's language."))
    message = models.CharField(
        max_length=300, blank=True, help_text=_("The untranslated text, shown in each reader's language.")
    )
    params = models.JSONField(default=dict, blank=True)
    body = models.TextField(_("details"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    recipients = models.TextField(_("e-mailed to"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["done_at", "due_on", "-created_at"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The reminder in the reader's language (the active one); as written when it cannot be."""
        if not self.message:
            return self.subject
        try:
            text: str = gettext(self.message) % self.params
            return text
        except (KeyError, TypeError, ValueError):
            return self.subject
