"""The officers' refund pages: the queue, the liability, recording a refund paid."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Sale
from ..returns import refund_due
from .forms import RefundForm
from .models import Refund
from .payouts.models import PayoutAccount
from .queue import COLUMNS, liability, queue
from .services import RefundRefused, refund_pay

TITLES = {
    "confirmed_unpaid": gettext_lazy("Confirmed by customs, not paid yet (oldest first)"),
    "ready": gettext_lazy("Ready to pay: the route is known"),
    "under_way": gettext_lazy("Payment under way: at the card provider or in a bank file"),
    "waiting": gettext_lazy("Waiting for the traveller to choose a route (reminded by e-mail)"),
    "not_confirmed": gettext_lazy("Not confirmed: customs did not see every item (no refund)"),
    "expiring": gettext_lazy("Awaiting customs, last day within 14 days"),
    "expired": gettext_lazy("Expired: no confirmation by the last day (no refund; the sale stays taxable)"),
}
# The whole of each section, in the purchase records' list (the queue shows the first rows).
EVERY = {
    "confirmed_unpaid": "customs_state__exact=confirmed&refund=unpaid&kind__exact=sale",
    "ready": "customs_state__exact=confirmed&refund=unpaid&kind__exact=sale",
    "under_way": "customs_state__exact=confirmed&refund=unpaid&kind__exact=sale",
    "waiting": "customs_state__exact=confirmed&refund=unpaid&kind__exact=sale",
    "not_confirmed": "customs_state__exact=not_confirmed",
    "expiring": "customs_state__exact=awaiting",
    "expired": "customs_state__exact=expired",
}
COLUMN_TITLES = {
    "awaiting": gettext_lazy("awaiting confirmation"),
    "confirmed_unpaid": gettext_lazy("confirmed, unpaid"),
    "paid": gettext_lazy("paid"),
    "not_confirmed": gettext_lazy("not confirmed"),
    "expired": gettext_lazy("expired"),
}


def _may_view(request: HttpRequest) -> None:
    if not request.user.has_perm("sales.view_refund"):
        raise PermissionDenied


def refund_queue(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    recount = request.GET.get("recount") == "1"
    every = reverse("admin:transmission_purchaserecord_changelist")
    sections = [
        (TITLES[s.key], s, f"{every}?{EVERY[s.key]}")
        for s in queue(request.user, timezone.localdate(), recount=recount)
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Refunds queue"),
        "opts": Refund._meta,
        "sections": sections,
        "today": timezone.localdate(),
        "counted_at": next((s.counted_at for _title, s, _every in sections if s.counted_at), None),
        "can_pay": request.user.has_perm("sales.add_refund"),
        "can_route": request.user.has_perm("sales.change_payout"),
        "can_batch": request.user.has_perm("sales.change_payoutbatch"),
        "accounts": PayoutAccount.objects.select_related("business"),
    }
    return TemplateResponse(request, "admin/sales/refund_queue.html", context)


def refund_liability(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    rows, total = liability(request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("Refund liability"),
        "opts": Refund._meta,
        "columns": [(c, COLUMN_TITLES[c]) for c in COLUMNS],
        "rows": rows,
        "total": total,
    }
    return TemplateResponse(request, "admin/sales/refund_liability.html", context)


def refund_record(request: HttpRequest, sale_id: int) -> HttpResponse:
    if not request.user.has_perm("sales.add_refund"):
        raise PermissionDenied
    sale = get_object_or_404(
        Sale.objects.visible_to(request.user).select_related("record", "store", "payout"), pk=sale_id
    )
    form = RefundForm(request.POST or None, initial=_initial(sale))
    if request.method == "POST" and form.is_valid():
        try:
            refund = refund_pay(actor=request.user, sale=sale, **form.cleaned_data)
        except RefundRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Refund of ¥%(paid)s recorded for sale #%(sale)s.") % {"paid": f"{refund.paid:,}", "sale": sale.pk},
            )
            return redirect("admin:sales_refund_queue")
    context = {
        **admin.site.each_context(request),
        "title": _("Record a refund paid"),
        "opts": Refund._meta,
        "sale": sale,
        "due": refund_due(sale),
        "form": form,
    }
    return TemplateResponse(request, "admin/sales/refund_record.html", context)


def _initial(sale: Sale) -> dict[str, str]:
    """The route the traveller chose, as the form's start (PayPal and operators are paid by hand)."""
    payout = getattr(sale, "payout", None)
    if payout is None or payout.method == "later":
        return {}
    initial = {"channel": payout.method}
    if payout.method == "operator":
        initial["operator_name"] = payout.masked
    return initial
