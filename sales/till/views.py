"""Pages for store staff: find or enter the customer, add items, explain, finish, cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sales import corrections, explanations, returns, rules, services
from sales.choices import CUSTOMER_LANGUAGES
from sales.decisions import decision_as_dict, rounding_rows, sale_totals
from sales.documents.context import applies, document_context
from sales.documents.render import SIZES, pdf_of
from sales.documents.views import pdf_response
from sales.inputs import product_item
from sales.models import Customer, IdentityDocument, Product, Sale, SaleItem, SaleSubmission
from sales.refunds.models import Refund
from sales.refunds.payouts.card import payout_card_refund
from sales.refunds.payouts.forms import TILL_METHODS, PayoutForm, TerminalRefundForm
from sales.refunds.payouts.state import flying_of, payout_state
from sales.refunds.services import RefundRefused, refund_pay
from sales.traveller import links
from sales.traveller.qr import qr_data_uri
from sales.watch.models import Signal
from sales.watch.texts import explanation
from stores.models import Store, TemporarySite
from taxfree.models import AuditAction, audit
from taxfree.roles import AuthenticatedHttpRequest, can_sell
from taxfree.text import clean_text

from .basket import Basket, drafts
from .forms import (
    CustomerForm,
    CustomerSearchForm,
    FinishForm,
    ItemEditForm,
    ItemForm,
    ProductPickForm,
    ScanForm,
    product_matches,
)


def _draft(request: AuthenticatedHttpRequest, store: Store, draft: str) -> Basket:
    """The draft, or GoneDraft when it is no longer in the session (finished or discarded)."""
    try:
        return Basket(request.session, store.pk, draft)
    except Http404:
        raise GoneDraft(draft) from None


class GoneDraft(Exception):
    def __init__(self, draft: str):
        super().__init__(draft)
        self.draft = draft


def _gone_draft_shown(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A draft's page opened again after it ended (a reload after Finish, the back button): the
    sale it became, or the start page; never a bare 404."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except GoneDraft as gone:
            return _finished_before(request, gone.draft, twice=request.method == "POST")

    return wrapped


def _store(request: AuthenticatedHttpRequest, store_id: int) -> Store:
    if not can_sell(request.user):
        raise PermissionDenied
    return get_object_or_404(Store.objects.visible_to(request.user).operating(), pk=store_id)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    stores = (
        Store.objects.visible_to(request.user)
        .operating()
        .select_related("business")
        .prefetch_related(
            Prefetch(
                "temporary_sites",
                TemporarySite.objects.filter(opens_on__lte=timezone.localdate(), closes_on__gte=timezone.localdate()),
                to_attr="open_sites",
            )
        )
    )
    recent = corrections.with_buyer_names(
        Sale.objects.visible_to(request.user).select_related("store", "customer")[:20]
    )
    names = {s.pk: s.name for s in stores}
    in_progress = (
        [
            {**d, "store_name": names[d["store"]], "created": datetime.fromisoformat(d["created"])}
            for d in drafts(request.session, set(names))
        ]
        if can_sell(request.user)
        else []
    )
    return render(
        request,
        "staff/home.html",
        {"stores": stores if can_sell(request.user) else [], "recent": recent, "drafts": in_progress},
    )


@login_required
def sale_start(request: AuthenticatedHttpRequest, store_id: int) -> HttpResponse:
    """ "New tax-free sale": always a new, empty draft of its own."""
    store = _store(request, store_id)
    cart = Basket.create(request.session, store.pk, _int(request.GET.get("site") or request.POST.get("site") or 0))
    if request.method == "POST":
        return customer_step(request, store.pk, cart.id)
    return redirect("staff:customer", store.pk, cart.id)


@login_required
@_gone_draft_shown
def customer_step(request: AuthenticatedHttpRequest, store_id: int, draft: str) -> HttpResponse:
    store = _store(request, store_id)
    cart = _draft(request, store, draft)
    facts = cart.facts()
    search, form = CustomerSearchForm(prefix="s"), CustomerForm(prefix="c", initial=_initial(facts))
    if request.method == "POST" and "search" in request.POST:
        search = CustomerSearchForm(request.POST, prefix="s")
        if search.is_valid():
            return _start_with_found(request, store, cart, search)
    elif request.method == "GET" and "found" in cart.data:
        form = CustomerForm(prefix="c", initial=_found_initial(store, cart.data["found"]))
    elif request.method == "POST":
        form = CustomerForm(request.POST, prefix="c")
        if form.is_valid():
            _customer_chosen(request, cart, form.cleaned_data)
            return redirect("staff:basket", store.pk, cart.id)
    return render(
        request,
        "staff/start.html",
        {
            "store": store,
            "site": cart.site(store),
            "search": search,
            "form": form,
            "draft": cart.id,
            "changing": facts is not None,
        },
    )


def _initial(facts: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: v for k, v in facts.items() if v not in (None, "", False)} if facts else None


def _found_initial(store: Store, document_id: int) -> dict[str, Any] | None:
    """The form prefilled from a returning customer's document as last finished."""
    document = IdentityDocument.objects.filter(customer__store=store, pk=document_id).select_related("customer").first()
    return CustomerForm.initial_from(document.customer, document) if document else None


def _customer_chosen(request: AuthenticatedHttpRequest, cart: Basket, facts: dict[str, Any]) -> None:
    if cart.set_customer(facts, explanations.default_language(facts["nationality"])):
        messages.warning(request, _("Another customer: the items entered for the previous one were removed."))


def _start_with_found(
    request: AuthenticatedHttpRequest, store: Store, cart: Basket, search: CustomerSearchForm
) -> HttpResponse:
    document = (
        IdentityDocument.objects.with_number(search.cleaned_data["number"])
        .filter(customer__store=store)
        .select_related("customer")
        .first()
    )
    if document is None:
        messages.warning(request, _("No customer with this document number: enter the customer below."))
        return redirect("staff:customer", store.pk, cart.id)
    audit(request.user, AuditAction.CUSTOMER_VIEW, document.customer, "found by document number")
    cart.data["found"] = document.pk
    cart.save()
    messages.info(request, _("Customer found: check the landing date and status for today's visit."))
    return redirect("staff:customer", store.pk, cart.id)


@login_required
def product_search(request: AuthenticatedHttpRequest, store_id: int) -> HttpResponse:
    """Products of the store's business matching what was typed: a JSON list for the basket page."""
    store = _store(request, store_id)
    products = Product.objects.filter(business=store.business, active=True)
    found = product_matches(products, request.GET.get("q", "")[:100])
    return JsonResponse(
        {"products": [{"label": f"{p.jan_code} {p.name}".strip(), "price": p.unit_price} for p in found]}
    )


@login_required
@require_POST
def discard(request: AuthenticatedHttpRequest, store_id: int, draft: str) -> HttpResponse:
    store = _store(request, store_id)
    Basket(request.session, store.pk, draft).discard()
    messages.info(request, _("The sale in progress was discarded."))
    return redirect("staff:home")


@login_required
@_gone_draft_shown
def basket(request: AuthenticatedHttpRequest, store_id: int, draft: str) -> HttpResponse:
    store = _store(request, store_id)
    cart = _draft(request, store, draft)
    customer, document = cart.customer_and_document(store)
    if customer is None or document is None:
        return redirect("staff:customer", store.pk, cart.id)
    forms: dict[str, Form] = {
        "scan": ScanForm(prefix="scan"),
        "pick": ProductPickForm(prefix="pick", business=store.business),
        "item": ItemForm(prefix="item"),
    }
    if request.method == "POST":
        response = _basket_action(request, store, cart, forms)
        if response:
            return response
    if any(f.errors for name, f in forms.items() if name != "scan"):
        forms["scan"].fields["jan"].widget.attrs.pop("autofocus", None)  # the form with errors keeps it
    decision = None
    if cart.items:
        evaluated = services.sale_evaluate(
            store=store, customer=customer, document=document, lines=cart.lines(), sale_date=timezone.localdate()
        )
        decision = decision_as_dict(evaluated, get_language())
    rows = list(zip(cart.items, decision["items"], strict=True)) if decision else []
    rounding = (
        rounding_rows([(r["rate_percent"], r["amount_excl_tax"]) for _i, r in rows], decision["totals_by_rate"])
        if decision
        else []
    )
    return render(
        request,
        "staff/basket.html",
        {
            "store": store,
            "site": cart.site(store),
            "customer": customer,
            "document": document,
            "basket": cart.data,
            "rows": rows,
            "decision": decision,
            "draft": cart.id,
            "rounding": rounding,
            "problems": cart.problems(customer),
            **forms,
            **_split(store, customer, document, cart, decision),
        },
    )


def _split(
    store: Store, customer: Customer, document: IdentityDocument, cart: Basket, decision: dict[str, Any] | None
) -> dict[str, Any]:
    """The split advisor: refund-method baskets of two items or more may leave as several records."""
    if not decision or decision["regime"] != "refund" or len(cart.items) < 2:
        return {}
    groups = cart.groups()
    parts = []
    if len(groups) > 1:
        lines = cart.lines()
        decisions = services.split_evaluate(
            store=store,
            customer=customer,
            document=document,
            groups=[[lines[n] for n in g] for g in groups],
            sale_date=timezone.localdate(),
        )
        parts = [
            (n + 1, [cart.items[i]["name"] for i in g], decision_as_dict(d, get_language()))
            for n, (g, d) in enumerate(zip(groups, decisions, strict=True))
        ]
    return {
        "split_offered": True,
        "split_parts": parts,
        "split_eligible": all(p[2]["eligible"] for p in parts),
        "record_numbers": range(1, Basket.MAX_RECORDS + 1),
    }


def _basket_action(
    request: AuthenticatedHttpRequest, store: Store, cart: Basket, forms: dict[str, Form]
) -> HttpResponse | None:
    action = request.POST.get("action")
    if action == "scan":
        forms["scan"] = scan = ScanForm(request.POST, prefix="scan")
        if scan.is_valid():
            products = Product.objects.filter(business=store.business, active=True)
            product = products.filter(jan_code=scan.cleaned_data["jan"]).first()
            if product is None:
                scan.add_error("jan", _("No product with this JAN code."))
                return None
            return _added(request, cart, scan, "jan", product_item(product, scan.cleaned_data["quantity"]))
    elif action == "pick":
        forms["pick"] = pick = ProductPickForm(request.POST, prefix="pick", business=store.business)
        if pick.is_valid():
            return _added(
                request,
                cart,
                pick,
                "product",
                product_item(pick.cleaned_data["product"], pick.cleaned_data["quantity"]),
            )
    elif action == "item":
        forms["item"] = typed = ItemForm(request.POST, prefix="item")
        if typed.is_valid():
            return _added(request, cart, typed, None, _typed_item(typed.cleaned_data))
    elif action == "remove":
        cart.remove(_int(request.POST.get("index")))
        return redirect("staff:basket", store.pk, cart.id)
    elif action == "edit":
        edit = ItemEditForm(request.POST)
        if edit.is_valid():
            cart.edit(
                edit.cleaned_data["index"],
                detail=edit.cleaned_data["detail"].strip(),
                serial=edit.cleaned_data["serial"].strip(),
            )
        else:
            _errors_to_messages(request, edit)
        return redirect("staff:basket", store.pk, cart.id)
    elif action == "record":
        cart.set_record(_int(request.POST.get("index")), _int(request.POST.get("record")))
        return redirect("staff:basket", store.pk, cart.id)
    elif action in ("suggest_split", "unsplit"):
        cart.suggest_split() if action == "suggest_split" else cart.unsplit()
        return redirect("staff:basket", store.pk, cart.id)
    elif action == "clear":
        cart.discard()
        return redirect("staff:home")
    return None


def _added(
    request: AuthenticatedHttpRequest, cart: Basket, form: Form, field: str | None, item: dict[str, Any]
) -> HttpResponse | None:
    """The basket page again with the item added, or None (the form shows why it was not)."""
    try:
        converted = cart.add(item)
    except ValidationError as exc:
        form.add_error(field, exc)
        return None
    for change in converted:
        messages.info(
            request, _("Half-width katakana made full-width, as the record sends them: %(change)s") % {"change": change}
        )
    return redirect("staff:basket", cart.data["store"], cart.id)


def _errors_to_messages(request: AuthenticatedHttpRequest, form: Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(map(str, errors)))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _typed_item(d: dict[str, Any]) -> dict[str, Any]:
    liquor = None
    if d["liquor_category"]:
        liquor = {
            "category": d["liquor_category"],
            "alcohol_percent": float(d["alcohol_percent"]),
            "volume_ml": d["volume_ml"],
        }
    keys = (
        "name",
        "quantity",
        "unit_price",
        "price_includes_tax",
        "tax_rate",
        "category",
        "detail",
        "serial",
        "serial_expected",
    )
    return {**{k: d[k] for k in keys}, "excluded": False, "liquor": liquor, "product": None, "jan_code": ""}


@login_required
@_gone_draft_shown
def explain(request: AuthenticatedHttpRequest, store_id: int, draft: str) -> HttpResponse:
    store = _store(request, store_id)
    cart = _draft(request, store, draft)
    customer, _document = cart.customer_and_document(store)
    if customer is None:
        return redirect("staff:customer", store.pk, cart.id)
    language = request.POST.get("language") or request.GET.get("lang") or cart.data.get("language", "en")
    if language not in explanations.LANGUAGES:
        language = "en"
    if request.method == "POST":
        cart.acknowledge(language)
        return redirect("staff:basket", store.pk, cart.id)
    today = timezone.localdate()
    regime = rules.regime_on(today).name
    return render(
        request,
        "staff/explain.html",
        {
            "store": store,
            "text": explanations.explanation(regime, language, today),
            "languages": CUSTOMER_LANGUAGES,
            "draft": cart.id,
            "current": language,
        },
    )


@login_required
@require_POST
def finish(request: AuthenticatedHttpRequest, store_id: int, draft: str) -> HttpResponse:
    store = _store(request, store_id)
    try:
        cart = Basket(request.session, store.pk, draft)
    except Http404:  # a second tap on Finish after the first one ended: it finished (or discarded) this sale
        return _finished_before(request, draft, twice=True)
    customer, document = cart.customer_and_document(store)
    if customer is None or document is None or not cart.items:
        return redirect("staff:basket", store.pk, cart.id)
    finish_form = FinishForm(request.POST)
    if not finish_form.is_valid():
        _errors_to_messages(request, finish_form)
        return redirect("staff:basket", store.pk, cart.id)
    if not _eligible(store, customer, document, cart) or cart.problems(customer):
        messages.error(request, _("The sale is not eligible: see the reasons below."))
        return redirect("staff:basket", store.pk, cart.id)
    # The customer is written now, with the sale, in one transaction (a draft never finished, or
    # refused at Finish, writes nothing).
    person, facts = cart.registration()
    order = cart.order(store, receipt_number=finish_form.cleaned_data["receipt_number"])
    try:
        parts = services.sale_finalize_registering(
            actor=request.user, order=order, person=person, document=facts, groups=cart.groups(), submission=cart.id
        )
        if len(parts) > 1:
            cart.discard()
            numbers = format_html_join(
                ", ", '<a href="{}">#{}</a>', ((reverse("staff:sale", args=[p.sale.pk]), p.sale.pk) for p in parts)
            )
            text = _("Sale finished as %(n)s sales, one purchase record each: %(sales)s.")
            messages.success(
                request,
                format_html(text.replace("%(n)s", "{n}").replace("%(sales)s", "{sales}"), n=len(parts), sales=numbers),
            )
            return redirect("staff:sale", parts[0].sale.pk)
        done = parts[0]
    except services.CustomerRefused as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("staff:customer", store.pk, cart.id)
    except services.AlreadyFinished as first:  # a second tap while the first one was finishing
        cart.discard()
        return _finished_before(request, draft, first.sale, twice=True)
    except services.SaleRefused:
        messages.error(request, _("The sale is not eligible: see the reasons below."))
        return redirect("staff:basket", store.pk, cart.id)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("staff:basket", store.pk, cart.id)
    cart.discard()
    finished = _("Sale #%(sale)s finished. Its purchase record goes to the NTA now: its state is shown below.")
    messages.success(request, finished % {"sale": done.sale.pk})
    return redirect("staff:sale", done.sale.pk)


def _eligible(store: Store, customer: Customer, document: IdentityDocument, cart: Basket) -> bool:
    """The draft's decision before anything is written (the workflow decides again, under its locks)."""
    today = timezone.localdate()
    lines = cart.lines()
    if len(cart.groups()) > 1:
        groups = [[lines[n] for n in g] for g in cart.groups()]
        decisions = services.split_evaluate(
            store=store, customer=customer, document=document, groups=groups, sale_date=today
        )
        return all(d.eligible for d in decisions)
    evaluated = services.sale_evaluate(store=store, customer=customer, document=document, lines=lines, sale_date=today)
    return evaluated.eligible


def _finished_before(
    request: AuthenticatedHttpRequest, draft: str, sale: Sale | None = None, *, twice: bool = False
) -> HttpResponse:
    """A draft that is gone, asked for again: the sale it became, if it became one."""
    if sale is None:
        found = SaleSubmission.objects.filter(user=request.user, key=draft, sale__isnull=False).first()
        sale = found.sale if found else None
    if sale is None:
        messages.info(request, _("This sale was already finished or discarded: see the recent sales."))
        return redirect("staff:home")
    if twice:
        messages.info(request, _("This sale was already finished (Finish was sent twice): here it is."))
    else:
        messages.info(request, _("This sale is finished: here it is."))
    return redirect("staff:sale", sale.pk)


def _visible_sale(request: AuthenticatedHttpRequest, pk: int) -> Sale:
    sales = Sale.objects.visible_to(request.user).select_related(
        "store", "customer", "document", "record", "refund", "payout"
    )
    try:
        return sales.get(pk=pk)
    except Sale.DoesNotExist:
        raise Http404 from None


@login_required
def sale_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _sale_page(request, _visible_sale(request, pk))


def _sale_page(request: AuthenticatedHttpRequest, sale: Sale, payout_form: PayoutForm | None = None) -> HttpResponse:
    """The sale page; with the refund route's form as typed when it was refused (422)."""
    audit(request.user, AuditAction.SALE_VIEW, sale, "staff sale page")
    left = SaleItem.objects.returnable_quantities(sale) if sale.kind == Sale.Kind.SALE else {}
    # What the NTA has: after a correction of the record, its corrected facts (sales/corrections.py).
    correction = corrections.correction_of(sale)
    items = corrections.as_received(sale.items.all(), sale.record.payload)
    return render(
        request,
        "staff/sale_detail.html",
        {
            "sale": sale,
            "items": items,
            "correction": correction,
            "buyer_name": correction.buyer_name if correction else str(sale.customer),
            "split_parts": _split_parts(request, sale),
            "cautions": [explanation(s) for s in sale.signals.filter(state=Signal.State.OPEN).order_by("id")],
            "cancellations": sale.cancellations.all(),
            "rounding": rounding_rows([(i.rate_percent, i.amount_excl_tax) for i in items], sale_totals(sale, items)),
            "can_cancel": can_sell(request.user) and any(left.values()),
            "can_sell": can_sell(request.user),
            "documents": [n for n in ("purchase-record", "packing-list", "refund-receipt") if applies(sale, n)],
            **_refund_state(request, sale, payout_form),
        },
        status=422 if payout_form is not None else 200,
    )


def _refund_state(
    request: AuthenticatedHttpRequest, sale: Sale, payout_form: PayoutForm | None = None
) -> dict[str, Any]:
    if sale.kind == Sale.Kind.CANCELLATION:
        paid_back = -sale.total_incl_tax - sale.refund_withheld if sale.regime == "refund" else -sale.total_excl_tax
        due_now = returns.refund_due(sale.cancels) if sale.cancels and sale.regime == "refund" else None
        # A return after the refund was paid: the refund stays as paid, part of it was withheld.
        after_paid = due_now is not None and Refund.objects.filter(sale=sale.cancels_id).exists()
        return {
            "paid_back": paid_back,
            "refund_dropped": -sale.refund_amount,
            "refund_now": None if after_paid else due_now,
            "refund_withheld": sale.refund_withheld if after_paid else None,
        }
    if sale.regime != "refund":
        return {}
    paid = getattr(sale, "refund", None)  # fetched with the sale
    due = returns.refund_due(sale)
    confirmed = sale.record.customs_state == sale.record.CustomsState.CONFIRMED
    payable = paid is None and confirmed and due > 0
    route = _payout_state(request, sale, payable, payout_form)
    return {
        "refund": paid,
        "refund_due": due,
        # Returns after the payment kept part of it back from their paybacks (docs/rules.md §4.9).
        "refund_kept": returns.refund_kept(sale) if paid is not None else None,
        # Not in cash while a card refund or a bank file pays it: refund_pay would refuse (invariant 8).
        "can_refund": payable and route["flying"] is None and can_sell(request.user),
        "payable": payable,
        **route,
    }


def _payout_state(
    request: AuthenticatedHttpRequest, sale: Sale, payable: bool, payout_form: PayoutForm | None = None
) -> dict[str, Any]:
    """The traveller's link (QR and address), the refund route and what staff can do with it."""
    payout = getattr(sale, "payout", None)
    flying = flying_of(sale) if getattr(sale, "refund", None) is None else None
    state = payout_state(sale, payout, flying)
    url = links.url(sale.pk)
    initial = {
        "method": payout.method if payout else "later",
        "language": payout.language if payout else sale.customer_language or "en",
    }
    card_ready = (
        payable and flying is None and payout is not None and payout.method == "card" and can_sell(request.user)
    )
    return {
        "traveller_url": url,
        "traveller_qr": qr_data_uri(url),
        "payout": payout,
        "payout_state": state,
        "flying": flying,
        "payout_form": payout_form or PayoutForm(initial=initial, methods=TILL_METHODS, prefix="payout"),
        "till_fields": (
            "method",
            "provider",
            "payment_reference",
            "brand",
            "last4",
            "operator_name",
            "email",
            "language",
        ),
        "can_route": can_sell(request.user) and state in ("waiting", "ready", "failed"),
        "card_ready": card_ready,
        "card_stripe": card_ready and payout is not None and payout.card_provider == "stripe",
        "card_unanswered": flying is not None and flying.route == "stripe" and flying.state == "requested",
        "terminal_form": TerminalRefundForm(prefix="terminal"),
    }


def _split_parts(request: AuthenticatedHttpRequest, sale: Sale) -> list[Sale]:
    """Every sale of the basket this one was finished with, itself included, when it was split:
    the parts of a split are written at one instant for one customer (sale_finalize_split)."""
    if sale.kind != Sale.Kind.SALE:
        return []
    parts = list(
        Sale.objects.visible_to(request.user)
        .filter(store_id=sale.store_id, customer_id=sale.customer_id, sold_at=sale.sold_at, kind=Sale.Kind.SALE)
        .select_related("record")
        .order_by("pk")
    )
    return parts if len(parts) > 1 else []


@login_required
def sale_documents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every sheet of the sale and of the other parts of its split, in one PDF: one print action."""
    sale = _visible_sale(request, pk)
    size = request.GET.get("size", "a4")
    if size not in SIZES:
        raise Http404("size must be a4 or receipt")
    contexts = []
    for part in _split_parts(request, sale) or [sale]:
        for name in ("purchase-record", "packing-list", "refund-receipt"):
            if applies(part, name):
                contexts.append(document_context(part, name, part.customer_language or "en"))
                audit(request.user, AuditAction.DOCUMENT_PRINT, part, f"{name} {size} (all sheets of #{sale.pk})")
    response = HttpResponse(pdf_of(contexts, size), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sheets-{sale.pk}-{size}.pdf"'
    return response


@login_required
def sale_document(request: AuthenticatedHttpRequest, pk: int, name: str) -> HttpResponse:
    """A printed document of the sale, opened in the browser (docs: README, Printed documents)."""
    return pdf_response(request, _visible_sale(request, pk), name)


@login_required
@require_POST
def refund_cash(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The refund counter pays a confirmed refund in cash."""
    sale = _visible_sale(request, pk)
    try:
        refund = refund_pay(actor=request.user, sale=sale, channel=Refund.Channel.CASH)
    except RefundRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Refund of ¥%(paid)s paid in cash.") % {"paid": f"{refund.paid:,}"})
    return redirect("staff:sale", sale.pk)


@login_required
@require_POST
@sensitive_post_parameters("payout-email", "payout-payment_reference")
def payout_route(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """At the till: how the refund reaches the customer (card paid, later on their page, or an operator)."""
    sale = _visible_sale(request, pk)
    form = PayoutForm(request.POST, methods=TILL_METHODS, prefix="payout")
    if form.submit(actor=request.user, sale=sale, by="till"):
        messages.success(request, _("Refund route saved."))
        return redirect("staff:sale", sale.pk)
    # Refused: the page again with what was typed, each error by its field (nothing to type twice).
    return _sale_page(request, sale, form)


@login_required
@require_POST
def card_refund(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Refund to the customer's card: through Stripe, or recorded from the card terminal."""
    sale = _visible_sale(request, pk)
    form = TerminalRefundForm(request.POST, prefix="terminal")
    reference = form.cleaned_data["reference"] if form.is_valid() else ""
    try:
        attempt = payout_card_refund(actor=request.user, sale=sale, terminal_reference=reference)
    except (RefundRefused, PermissionDenied) as refusal:
        messages.error(request, getattr(refusal, "message", None) or _("You may not refund this sale."))
        return redirect("staff:sale", sale.pk)
    outcome = {
        "succeeded": (messages.success, _("Refund of ¥%(amount)s paid to the card.")),
        "pending": (messages.info, _("Refund of ¥%(amount)s accepted by the card provider; it confirms it shortly.")),
        "failed": (
            messages.error,
            _("The card refund was declined (%(reason)s): the customer is asked to choose another route."),
        ),
        "requested": (messages.warning, _("No answer from the card provider: try again (it will not pay twice).")),
    }
    say, text = outcome[attempt.state]
    say(request, text % {"amount": f"{attempt.amount:,}", "reason": attempt.failure_reason})
    return redirect("staff:sale", sale.pk)


@login_required
def sale_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A return in two steps: the quantities (0 to start with), then what it will do, confirmed."""
    sale = _visible_sale(request, pk)
    if not can_sell(request.user):
        raise PermissionDenied
    left = SaleItem.objects.returnable_quantities(sale) if sale.kind == Sale.Kind.SALE else {}
    items = [(item, left.get(item.line, 0)) for item in sale.items.all()]
    wanted = {item.line: max(_int(request.POST.get(f"line-{item.line}") or 0), 0) for item, _left in items}
    reason = clean_text(request.POST.get("reason", "")[:200], multiline=True)
    preview = None
    if request.method == "POST":
        try:
            if "confirm" in request.POST:
                cancellation = returns.sale_cancel(actor=request.user, sale=sale, quantities=wanted, reason=reason)
                messages.success(request, _("Return recorded; its purchase record is queued for sending."))
                return redirect("staff:sale", cancellation.pk)
            preview = returns.return_preview(sale, wanted)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return render(
        request,
        "staff/cancel.html",
        {"sale": sale, "items": items, "wanted": wanted, "reason": reason, "preview": preview},
    )
