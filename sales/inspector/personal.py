"""Personal data on request (個人情報の保護に関する法律 第33条, disclosure to the person): an officer
finds a customer by their document number — through the keyed blind index, never a search of clear
numbers — and gets everything the shop holds about them as one JSON file, with the log of who
looked at their data. Both steps are audited (docs/rules.md §11)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from taxfree.crypto import blind_index
from taxfree.masking import masked
from taxfree.models import AuditAction, AuditEvent, Notice, audit
from taxfree.roles import Actor, is_compliance_officer
from transmission.customs.models import CustomsConfirmation
from transmission.models import PurchaseRecord

from ..models import Customer, IdentityDocument, Sale, SaleItem
from ..refunds.models import Refund
from ..refunds.payouts.models import Payout, PayoutAttempt

# What counts as looking at a customer's personal data (or changing it), in the log shown.
SEEN = (
    AuditAction.CUSTOMER_VIEW,
    AuditAction.CUSTOMER_REGISTER,
    AuditAction.CUSTOMER_CHANGE,
    AuditAction.DOCUMENT_CHANGE,
    AuditAction.SALE_VIEW,
    AuditAction.ADMIN_VIEW,
    AuditAction.DOCUMENT_PRINT,
    AuditAction.PAYOUT_CHANGE,
    AuditAction.PERSONAL_DATA_FIND,
    AuditAction.PERSONAL_DATA_EXPORT,
)


def _officer(actor: Actor) -> None:
    if not is_compliance_officer(actor):
        raise PermissionDenied


def customers_with_number(actor: Actor, number: str) -> QuerySet[Customer]:
    """The customers of the stores `actor` sees who showed a document of this number."""
    index = blind_index(number)
    return (
        Customer.objects.visible_to(actor)
        .filter(documents__number_index=index)
        .select_related("store")
        .distinct()
        .order_by("id")
    )


@transaction.atomic(durable=True)
def personal_data_find(*, actor: Actor, number: str) -> list[Customer]:
    """The customers holding this document number, each find audited on the customer; a search
    that finds no one is audited too, with the number masked."""
    _officer(actor)
    found = list(customers_with_number(actor, number))
    for customer in found:
        audit(actor, AuditAction.PERSONAL_DATA_FIND, customer, "found by document number", number=masked(number))
    if not found:
        audit(actor, AuditAction.PERSONAL_DATA_FIND, Customer, "no customer found", number=masked(number))
    return found


@transaction.atomic(durable=True)
def personal_data_export(*, actor: Actor, customer: Customer) -> bytes:
    """Everything held about `customer` as JSON (UTF-8), the export audited in the same transaction
    (so the file's own log ends with it)."""
    _officer(actor)
    audit(actor, AuditAction.PERSONAL_DATA_EXPORT, customer, "personal data exported")
    return json.dumps(holdings(customer), ensure_ascii=False, indent=2, default=str).encode()


def views_log(customer: Customer) -> QuerySet[AuditEvent]:
    """Who looked at (or changed) this customer's data, oldest first."""
    return AuditEvent.objects.filter(_about(customer), action__in=SEEN).select_related("actor").order_by("at", "id")


def action_label(code: str) -> str:
    return str(AuditAction(code).label) if code in AuditAction.values else code


def _about(customer: Customer) -> Q:
    sales = Sale.objects.filter(customer=customer)
    return (
        Q(object_type=Customer._meta.label, object_id=str(customer.pk))
        | Q(object_type=IdentityDocument._meta.label, object_id__in=_ids(customer.documents.all()))
        | Q(object_type=Sale._meta.label, object_id__in=_ids(sales))
        | Q(object_type=Payout._meta.label, object_id__in=_ids(Payout.objects.filter(sale__in=sales)))
    )


def _ids(rows: QuerySet[Any]) -> list[str]:
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def holdings(customer: Customer) -> dict[str, Any]:
    """The customer, their documents (numbers in full: the file is the person's own record), their
    sales with items, records, customs confirmations, refunds, refund routes and payments, the
    notices sent to them, and the log of who looked at their data."""
    return {
        "made_at": _at(timezone.now()),
        "customer": {
            "id": customer.pk,
            "store": customer.store.name,
            "family_name": customer.family_name,
            "given_names": customer.given_names,
            "nationality": customer.nationality,
            "birth_date": customer.birth_date,
            "sex": customer.sex,
            "works_in_japan": customer.works_in_japan,
            "registered_at": _at(customer.created_at),
        },
        "documents": [_document(d) for d in customer.documents.order_by("id")],
        "sales": list(_sales(customer)),
        "views": [_event(e) for e in views_log(customer)],
    }


def _at(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _document(doc: IdentityDocument) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "type": doc.document_type,
        "number": doc.number,
        "passport_number": doc.passport_number,
        "issuing_country": doc.issuing_country,
        "expiry_date": doc.expiry_date,
        "status_of_residence": doc.status_of_residence,
        "landing_date": doc.landing_date,
        "landing_stamp": doc.has_landing_stamp,
        "proof_of_living_abroad": doc.proof_document,
        "moved_abroad_date": doc.moved_abroad_date,
        "recorded_at": _at(doc.created_at),
    }


def _sales(customer: Customer) -> Iterator[dict[str, Any]]:
    sales = customer.sales.select_related("store").order_by("sold_at", "id")
    for sale in sales:
        record = PurchaseRecord.objects.filter(sale=sale).first()
        yield {
            "id": sale.pk,
            "kind": sale.kind,
            "cancels": sale.cancels_id,
            "store": sale.store.name,
            "sold_at": _at(sale.sold_at),
            "sale_date": sale.sale_date,
            "regime": sale.regime,
            "total_excl_tax": sale.total_excl_tax,
            "consumption_tax": sale.total_tax,
            "refund_amount": sale.refund_amount,
            "items": [_item(i) for i in SaleItem.objects.filter(sale=sale).order_by("line")],
            "record": _record(record) if record else None,
            "refund": _refund(sale),
            "refund_route": _payout(sale),
            "notices": [
                _notice(n) for n in Notice.objects.filter(about=f"{Sale._meta.label}:{sale.pk}").order_by("id")
            ],
        }


def _item(item: SaleItem) -> dict[str, Any]:
    return {
        "line": item.line,
        "name": item.name,
        "quantity": item.quantity,
        "unit_price": item.unit_price,
        "rate_percent": item.rate_percent,
        "detail": item.detail,
        "serial": item.serial,
    }


def _record(record: PurchaseRecord) -> dict[str, Any]:
    confirmations = CustomsConfirmation.objects.filter(record=record).order_by("confirmed_at", "id")
    return {
        "transmission_number": record.transmission_number,
        "state": record.state,
        "accepted_at": _at(record.accepted_at),
        "customs_state": record.customs_state,
        "customs_deadline": record.customs_deadline,
        "customs_confirmations": [
            {"kind": c.kind, "confirmed_at": _at(c.confirmed_at), "complete": c.complete} for c in confirmations
        ],
    }


def _refund(sale: Sale) -> dict[str, Any] | None:
    refund = Refund.objects.filter(sale=sale).first()
    if refund is None:
        return None
    return {
        "paid": refund.paid,
        "fee": refund.fee,
        "channel": refund.channel,
        "reference": refund.reference,
        "paid_at": _at(refund.paid_at),
    }


def _payout(sale: Sale) -> dict[str, Any] | None:
    payout = Payout.objects.filter(sale=sale).first()
    if payout is None:
        return None
    payments = PayoutAttempt.objects.filter(payout=payout).order_by("created_at", "id")
    return {
        "method": payout.method,
        "details": json.loads(payout.details) if payout.details else None,
        "card": payout.card_masked,
        "email": payout.email,
        "language": payout.language,
        "privacy_notice_accepted_at": _at(payout.consent_at),
        "details_erased_at": _at(payout.details_erased_at),
        "payments": [
            {"route": p.route, "amount": p.amount, "state": p.state, "at": _at(p.created_at)} for p in payments
        ],
    }


def _notice(notice: Notice) -> dict[str, Any]:
    return {"to": notice.to, "subject": notice.subject, "state": notice.state, "sent_at": _at(notice.sent_at)}


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": _at(event.at),
        "who": event.actor.get_username() if event.actor else None,
        "action": event.action,
        "about": f"{event.object_type}#{event.object_id}",
        "summary": event.summary,
    }
