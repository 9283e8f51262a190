"""The traveller's page: no login, one signed link per sale, in the traveller's language.

It shows where the refund stands and lets the traveller choose or change how it is paid until it
is. Nothing but that one sale is reachable from a link; an unknown or altered link is a plain 404
found by the same query as a good one; requests are counted per link and per address; no script,
no third-party asset, a strict Content-Security-Policy, never indexed, never sent as a Referer."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from taxfree.countries import alpha2_choices

from ..corrections import names_as_received
from ..models import Sale
from ..refunds.payouts.details import mask_email
from ..refunds.payouts.fees import fee_for
from ..refunds.payouts.models import Method, Payout, PayoutAttempt
from ..refunds.payouts.services import PayoutRefused, payout_set
from ..refunds.payouts.texts import say
from ..returns import refund_due
from . import limits, links
from .texts import LANGUAGES, NAMES, language_of, texts
from .timeline import timeline

STRICT = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}
SECRET_FIELDS = ("account_holder", "iban", "account_number", "bic", "paypal_email", "email")
BANK_FIELDS = ("account_holder", "iban", "account_number", "bic", "bank_country")
CHOOSABLE = (Method.CARD, Method.BANK_TRANSFER, Method.PAYPAL)


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never sent to another site
    return response


def not_found() -> HttpResponse:
    return _headers(HttpResponseNotFound("Not found\n", content_type="text/plain; charset=utf-8"))


def too_many(language: str) -> HttpResponse:
    response = HttpResponse(texts(language)["too_many"] + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(limits.WINDOW)
    return _headers(response)


# No cookie at all, not even CSRF's: the link is the only credential, so a forged cross-site request
# has nothing to ride on that its author would not need to know already (and with no Referer sent,
# browsers post `Origin: null`, which Django's CSRF check would refuse).
@csrf_exempt
@csp(STRICT)  # type: ignore[arg-type]  # django-csp's decorator is typed for views without arguments
@never_cache
@sensitive_post_parameters(*SECRET_FIELDS)
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    sale_id, genuine = links.parse(token)
    language = language_of(request.GET.get("lang"), "en")
    if not limits.allowed("address", limits.address(request), settings.TRAVELLER_RATE_ADDRESS):
        return too_many(language)
    sale = _sale(sale_id)  # looked up whether the link is genuine or not: the same work either way
    if sale is None or not genuine or sale.kind != Sale.Kind.SALE or sale.regime != "refund":
        return not_found()
    if not limits.allowed("link", token.lower(), settings.TRAVELLER_RATE_LINK):
        return too_many(language)
    payout: Payout | None = getattr(sale, "payout", None)
    language = language_of(request.GET.get("lang"), (payout.language if payout else "") or sale.customer_language)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not limits.allowed("change", token.lower(), settings.TRAVELLER_RATE_CHANGES):
            return too_many(language)
        errors = _change(request, sale, language)
        if not errors:
            return _headers(redirect(f"{links.path(sale.pk)}?lang={language}&saved=1"))
        sale = _sale(sale_id) or sale
        payout = getattr(sale, "payout", None)
    context = _context(request, sale, payout, language, errors)
    return _headers(render(request, "traveller/page.html", context, status=422 if errors else 200))


def _sale(sale_id: int) -> Sale | None:
    rows = Sale.objects.select_related("store", "record", "refund", "payout")
    return rows.filter(pk=sale_id).first()


def _change(request: HttpRequest, sale: Sale, language: str) -> dict[str, str]:
    """The traveller's choice, through payout_set (durable, audited, masked); errors by field."""
    post = {k: v[:200] for k, v in request.POST.items() if isinstance(v, str)}
    action = post.get("action")
    try:
        if action == "contact":
            payout_set(
                actor=None, sale=sale, by="traveller", method=None, email=post.get("email", ""), language=language
            )
        elif action == "method" and post.get("method") in CHOOSABLE:
            method = post["method"]
            data = {k: post.get(k, "") for k in BANK_FIELDS} if method == Method.BANK_TRANSFER else {}
            if method == Method.PAYPAL:
                data = {"email": post.get("paypal_email", "")}
            consent = post.get("consent") == "on"
            payout_set(actor=None, sale=sale, by="traveller", method=method, data=data, consent=consent)
        else:
            return {"method": say("method", language)}
    except PayoutRefused as refused:
        if refused.errors:
            return {name: say(code, language) for name, code in refused.errors.items()}
        return {"all": say(refused.code, language)}
    return {}


def _context(
    request: HttpRequest, sale: Sale, payout: Payout | None, language: str, errors: dict[str, str]
) -> dict[str, Any]:
    t = texts(language)
    due = refund_due(sale)
    flying = None if getattr(sale, "refund", None) else _flying(payout)
    changeable = _changeable(sale, flying)
    method = payout.method if payout else Method.LATER
    fee = fee_for(method, due) if method in CHOOSABLE else None
    return {
        "t": t,
        "language": language,
        "languages": [(code, NAMES[code]) for code in LANGUAGES],
        "path": links.path(sale.pk),
        "sale": sale,
        "store": sale.store,
        "items": names_as_received(sale, sale.items.filter(quantity__gt=0).order_by("line")),
        "due": due,
        "fee": fee,
        "steps": timeline(sale, payout, flying, t, language, timezone.localdate()),
        "payout": payout,
        "changeable": changeable,
        "card": payout.card_masked if payout and payout.card_known else "",
        "current_line": t["current"].format(method=t.get(f"m_{method}", method)),
        "contact_line": t["contact"].format(store=sale.store.name, address=sale.store.address),
        "privacy_keep": t["privacy_keep"].format(days=settings.PAYOUT_DETAILS_KEEP_DAYS),
        "fees": {m: fee_for(m, due) for m in CHOOSABLE},
        "countries": alpha2_choices(language),
        "errors": errors,
        # Each form shows the errors of its own post only (the consent box is in two of them).
        "form_errors": {
            form: errors if form == _posted(request) else {} for form in ("bank_transfer", "paypal", "contact")
        },
        "post": {k: v for k, v in request.POST.items() if k in (*BANK_FIELDS, "paypal_email", "email")},
        "email": mask_email(payout.email) if payout and payout.email else "",
        "saved": request.GET.get("saved") == "1" and not errors,
    }


FORMS = ("bank_transfer", "paypal", "contact")


def _posted(request: HttpRequest) -> str:
    if request.method != "POST":
        return ""
    return "contact" if request.POST.get("action") == "contact" else request.POST.get("method", "")


def _flying(payout: Payout | None) -> PayoutAttempt | None:
    if payout is None:
        return None
    return PayoutAttempt.objects.filter(payout=payout, state__in=PayoutAttempt.IN_FLIGHT).first()


def _changeable(sale: Sale, flying: PayoutAttempt | None) -> bool:
    state = sale.record.customs_state
    return getattr(sale, "refund", None) is None and flying is None and state not in ("not_confirmed", "expired")
