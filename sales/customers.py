"""Customers and the documents they show: one mapping from typed or sent facts, one register."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import connection, transaction

from stores.models import Store
from taxfree.crypto import blind_index
from taxfree.masking import masked
from taxfree.models import AuditAction, audit
from taxfree.roles import Actor
from taxfree.text import document_number

from .models import Customer, IdentityDocument
from .permissions import check_can_sell

# Relations set here from rows this transaction already holds: full_clean would check each with a
# query of its own (ForeignKey.validate), one round trip per relation on every sale.
TRUSTED_RELATIONS = ["store", "created_by", "customer"]
PERSON_FIELDS = ("family_name", "given_names", "nationality", "birth_date", "sex", "works_in_japan")
# Facts of a document as shown on one visit: a change (e.g. a new landing date) is a new row.
DOCUMENT_FACTS = (
    "document_type",
    "issuing_country",
    "expiry_date",
    "status_of_residence",
    "landing_date",
    "has_landing_stamp",
    "proof_document",
    "moved_abroad_date",
)


def facts_split(facts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The flat customer facts of the staff form and the POS API → (person, document) for the models."""
    person = {k: facts[k] for k in PERSON_FIELDS}
    document = {
        "document_type": facts["document_type"],
        "number": document_number(facts["document_number"]),
        "issuing_country": facts.get("issuing_country") or "",
        "expiry_date": facts.get("document_expiry"),
        "passport_number": document_number(facts.get("passport_number") or ""),
        "status_of_residence": facts.get("status_of_residence") or "",
        "landing_date": facts.get("landing_date"),
        "has_landing_stamp": bool(facts.get("has_landing_stamp")),
        "proof_document": facts.get("proof_document") or "",
        "moved_abroad_date": facts.get("moved_abroad_date"),
    }
    return person, document


class Registration(NamedTuple):
    customer: Customer
    document: IdentityDocument
    new: bool  # the customer was created now: no earlier sale of theirs can exist


@transaction.atomic(durable=True)
def customer_register(*, actor: Actor, store: Store, person: dict[str, Any], document: dict[str, Any]) -> Registration:
    """Find the customer by document number, or create them; record the document as shown today."""
    check_can_sell(actor, store)
    return customer_upsert(actor=actor, store=store, person=person, document=document)


def customer_upsert(*, actor: Actor, store: Store, person: dict[str, Any], document: dict[str, Any]) -> Registration:
    """The body of customer_register, for workflows that register the customer in their own transaction."""
    number = document_number(document["number"])
    _hold_number(store, number, document["document_type"])
    existing = find_document(store, number, document["document_type"])
    if existing:
        customer = Customer.objects.select_for_update().get(pk=existing.customer_id)
        existing.customer = customer  # the row just locked, not a second read
        _identity_change(actor, customer, person, number)
    else:
        customer = Customer(store=store, created_by=actor if isinstance(actor, User) else None, **person)
        customer.full_clean(exclude=TRUSTED_RELATIONS)
        customer.save()
    doc = (
        _document_upsert(actor, customer, number, document, found=existing)
        if existing
        else _new_document(customer, number, document)
    )
    audit(actor, AuditAction.CUSTOMER_REGISTER, customer, "existing" if existing else "new", document=doc.pk)
    return Registration(customer, doc, new=existing is None)


def _hold_number(store: Store, number: str, document_type: str) -> None:
    """Two tills registering the same new passport at once would both find nothing and both
    insert: a lock on the number at this store, until the transaction ends, makes the second wait
    and find the first's row. Other numbers and other stores do not wait. SQLite needs none: its
    transactions take the database's write lock as they begin (settings: IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    # From the keyed blind index, not the number: pg_locks shows the key to anyone who looks.
    seed = f"customer|{store.pk}|{document_type}|{blind_index(number)}".encode()
    key = int.from_bytes(hashlib.blake2b(seed, digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _identity_change(actor: Actor, customer: Customer, person: dict[str, Any], number: str) -> None:
    """New identity facts for a known customer: kept with the before and after values (the
    document number masked) in the audit row of the same transaction."""
    before = {k: getattr(customer, k) for k in PERSON_FIELDS}
    changed = {k: v for k, v in person.items() if before.get(k) != v}
    if not changed:
        return
    for field, value in changed.items():
        setattr(customer, field, value)
    customer.full_clean(exclude=TRUSTED_RELATIONS)
    customer.save()
    audit(
        actor,
        AuditAction.CUSTOMER_CHANGE,
        customer,
        ", ".join(sorted(changed)),
        document=masked(number),
        before={k: str(before[k]) for k in changed},
        after={k: str(v) for k, v in changed.items()},
    )


def find_document(store: Store, number: str, document_type: str) -> IdentityDocument | None:
    """The latest document of this number and type shown at this store. Each store keeps its own
    customers: a till never reads nor rewrites what another store recorded."""
    return (
        IdentityDocument.objects.with_number(number)
        .filter(customer__store_id=store.pk, document_type=document_type)
        .first()
    )


def _document_upsert(
    actor: Actor, customer: Customer, number: str, facts: dict[str, Any], found: IdentityDocument | None = None
) -> IdentityDocument:
    """One row per document: shown again (a new visit, a new landing date), its row is updated and
    the change audited; each sale's record keeps the facts as they were (its frozen payload)."""
    doc = found or customer.documents.with_number(number).filter(document_type=facts["document_type"]).first()
    if doc is None:
        return _new_document(customer, number, facts)
    fields = (*DOCUMENT_FACTS, "passport_number")
    changed = {f: facts[f] for f in fields if f in facts and getattr(doc, f) != facts[f]}
    if changed:
        before = {f: _shown(f, getattr(doc, f)) for f in changed}
        for field, value in changed.items():
            setattr(doc, field, value)
        doc.full_clean(exclude=["number_index", *TRUSTED_RELATIONS])
        doc.save()
        audit(
            actor,
            AuditAction.DOCUMENT_CHANGE,
            doc,
            ", ".join(sorted(changed)),
            before=before,
            after={f: _shown(f, v) for f, v in changed.items()},
        )
    return doc


def _shown(field: str, value: Any) -> str:
    return masked(value) if field == "passport_number" and value else str(value)


def _new_document(customer: Customer, number: str, facts: dict[str, Any]) -> IdentityDocument:
    doc = IdentityDocument(customer=customer, **{**facts, "number": number})
    doc.full_clean(exclude=["number_index", *TRUSTED_RELATIONS])
    doc.save()
    return doc
