"""The office's payout pages: a sale's route, a card refund, bank payout files and their lines."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from taxfree.models import AuditAction, audit

from ...models import Sale
from ...returns import refund_due
from ..services import RefundRefused
from .batches import (
    BatchRefused,
    check_office,
    payout_batch_cancel,
    payout_batch_create,
    payout_batch_item_failed,
    payout_batch_item_paid,
    payout_batch_send,
    payout_batch_settle_all,
)
from .card import payout_card_refund
from .forms import PayoutForm, TerminalRefundForm
from .models import Payout, PayoutAccount, PayoutAttempt, PayoutBatch
from .services import PayoutRefused
from .state import flying_of, payout_state

SECRET = ("account_holder", "iban", "account_number", "bic", "paypal_email", "email", "payment_reference")


def _sale(request: HttpRequest, sale_id: int) -> Sale:
    rows = Sale.objects.visible_to(request.user).select_related("store", "record", "refund", "payout")
    return get_object_or_404(rows, pk=sale_id)


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, "opts": Payout._meta, **extra}


@sensitive_post_parameters(*SECRET)
def payout_route(request: HttpRequest, sale_id: int) -> HttpResponse:
    """The office enters or changes a sale's route (any method), e.g. from the traveller's e-mail."""
    if not request.user.has_perm("sales.change_payout"):
        raise PermissionDenied
    sale = _sale(request, sale_id)
    payout: Payout | None = getattr(sale, "payout", None)
    initial = {
        "method": payout.method if payout else "later",
        "language": payout.language if payout else sale.customer_language,
    }
    form = PayoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.submit(actor=request.user, sale=sale, by="office"):
        messages.success(request, _("Refund route of sale #%(sale)s saved.") % {"sale": sale.pk})
        return redirect("admin:sales_refund_queue")
    flying = flying_of(sale)
    return TemplateResponse(
        request,
        "admin/sales/payout_route.html",
        _context(
            request, _("Refund route"), sale=sale, payout=payout, form=form, state=payout_state(sale, payout, flying)
        ),
    )


def payout_card(request: HttpRequest, sale_id: int) -> HttpResponse:
    """Refund to the card: through Stripe (a button), or recorded from the terminal (its reference)."""
    if not request.user.has_perm("sales.add_refund"):
        raise PermissionDenied
    sale = _sale(request, sale_id)
    form = TerminalRefundForm(request.POST or None, prefix="terminal")
    if request.method == "POST":
        reference = form.cleaned_data["reference"] if form.is_valid() else ""
        try:
            attempt = payout_card_refund(actor=request.user, sale=sale, terminal_reference=reference)
        except RefundRefused as refusal:
            messages.error(request, refusal.message)
        else:
            _tell(request, attempt)
            return redirect("admin:sales_refund_queue")
    payout = getattr(sale, "payout", None)
    return TemplateResponse(
        request,
        "admin/sales/payout_card.html",
        _context(
            request,
            _("Refund to the card"),
            sale=sale,
            payout=payout,
            form=form,
            due=refund_due(sale),
            flying=flying_of(sale),
        ),
    )


def _tell(request: HttpRequest, attempt: PayoutAttempt) -> None:
    values = {"sale": attempt.sale_id, "amount": f"{attempt.amount:,}", "reason": attempt.failure_reason}
    if attempt.state == PayoutAttempt.State.SUCCEEDED:
        messages.success(request, _("Sale #%(sale)s: ¥%(amount)s refunded to the card.") % values)
    elif attempt.state == PayoutAttempt.State.PENDING:
        messages.info(
            request,
            _("Sale #%(sale)s: the provider accepted the refund; its outcome is checked every few minutes.") % values,
        )
    elif attempt.state == PayoutAttempt.State.FAILED:
        messages.error(
            request,
            _(
                "Sale #%(sale)s: the card refund was declined (%(reason)s); "
                "the traveller is asked to choose another route."
            )
            % values,
        )
    else:
        messages.warning(
            request,
            _("Sale #%(sale)s: no answer from the card provider. Ask again: the same key never pays twice.") % values,
        )


def payout_batch_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("admin:sales_refund_queue")
    check_office(request.user)
    account = get_object_or_404(PayoutAccount, pk=request.POST.get("account") or 0)
    ids = [int(v) for v in request.POST.getlist("sale") if v.isdigit()]
    try:
        batch = payout_batch_create(actor=request.user, account=account, sale_ids=ids)
    except BatchRefused as refused:
        for pk, why in sorted(refused.problems.items()):
            messages.error(request, f"#{pk}: {why}" if pk else why)
        return redirect("admin:sales_refund_queue")
    messages.success(
        request, _("Bank payout file %(id)s written: download it and send it to the bank.") % {"id": batch.message_id}
    )
    return redirect("admin:sales_payoutbatch_change", batch.pk)


def payout_batch_page(request: HttpRequest, object_id: str) -> HttpResponse:
    if not request.user.has_perm("sales.view_payoutbatch"):
        raise PermissionDenied
    if not str(object_id).isdigit():
        raise Http404
    batch = get_object_or_404(PayoutBatch.objects.visible_to(request.user).select_related("account"), pk=object_id)
    if request.method == "POST":
        _batch_action(request, batch)
        return redirect("admin:sales_payoutbatch_change", batch.pk)
    items = batch.items.select_related("payout").order_by("pk")
    context = _context(
        request,
        _("Bank payout file %(id)s") % {"id": batch.message_id},
        batch=batch,
        items=items,
        can_settle=request.user.has_perm("sales.change_payoutbatch"),
    )
    context["opts"] = PayoutBatch._meta
    return TemplateResponse(request, "admin/sales/payout_batch.html", context)


def _batch_action(request: HttpRequest, batch: PayoutBatch) -> None:
    action = request.POST.get("action", "")
    try:
        if action == "send":
            payout_batch_send(actor=request.user, batch=batch)
        elif action == "cancel":
            payout_batch_cancel(actor=request.user, batch=batch)
        elif action == "settle_all":
            n = payout_batch_settle_all(actor=request.user, batch=batch)
            messages.success(request, _("%(n)s transfers recorded as paid.") % {"n": n})
        elif action in ("paid", "failed"):
            attempt = get_object_or_404(batch.items, pk=request.POST.get("item") or 0)
            if action == "paid":
                payout_batch_item_paid(actor=request.user, attempt=attempt, reference=request.POST.get("reference", ""))
            else:
                payout_batch_item_failed(
                    actor=request.user, attempt=attempt, reason=request.POST.get("reason", "")[:200]
                )
        else:  # a batch is changed only by its page's own actions, never saved as a form
            raise PermissionDenied
    except (PayoutRefused, RefundRefused) as refused:
        text = getattr(refused, "message", "") or _("This cannot be done in the file's present state.")
        if isinstance(refused, PayoutRefused) and refused.errors:
            text = _("Give the bank's reason for the failed transfer.")
        messages.error(request, text)


def payout_batch_file(request: HttpRequest, object_id: str, kind: str) -> HttpResponse:
    """The file as written (the XML whole, for the bank; the CSV masked, to read). Audited."""
    check_office(request.user)
    batch = get_object_or_404(PayoutBatch, pk=object_id)
    if kind not in ("xml", "csv"):
        raise Http404
    audit(request.user, AuditAction.PAYOUT_BATCH, batch, f"{batch.message_id}: {kind} downloaded")
    content_type = "application/xml" if kind == "xml" else "text/csv; charset=utf-8"
    response = HttpResponse(batch.xml if kind == "xml" else batch.csv, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.{kind}"'
    return response
