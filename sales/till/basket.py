"""Sales being entered at a till: drafts kept in the staff member's session, each with its own id.

A draft belongs to one store and, once the customer is entered, to one customer: "New tax-free
sale" always starts an empty draft, two tabs of one user each keep their own, and a basket never
passes to another customer."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sales.customers import facts_split, find_document
from sales.inputs import ItemLine, SaleOrder, line_from_dict
from sales.models import Customer, IdentityDocument
from stores.models import Store
from taxfree.crypto import blind_index, decrypt, encrypt
from transmission.validators import (
    refusal,
    validate_detail,
    validate_item_name,
    validate_line_amount,
    validate_name,
    validate_name_part,
    validate_serial,
)
from transmission.wire import charset, limits

if TYPE_CHECKING:
    from stores.models import TemporarySite

KEY = "drafts"
MAX_DRAFTS = 20
# A draft without items is forgotten this long after it was last changed: a "New tax-free sale"
# tapped and left does not stay on the home page.
EMPTY_KEPT = timedelta(minutes=30)
DATE_FACTS = ("document_expiry", "birth_date", "landing_date", "moved_abroad_date")


def _expire(session: SessionBase) -> None:
    all_drafts = session.get(KEY) or {}
    cutoff = (timezone.now() - EMPTY_KEPT).isoformat()
    stale = [k for k, d in all_drafts.items() if not d["items"] and d.get("changed", d["created"]) < cutoff]
    for key in stale:
        del all_drafts[key]
    if stale:
        session[KEY] = all_drafts
        session.modified = True


def drafts(session: SessionBase, store_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """The drafts in progress, newest first (each with its `id`); empty ones expire."""
    _expire(session)
    found = [{**d, "id": key} for key, d in (session.get(KEY) or {}).items()]
    if store_ids is not None:
        found = [d for d in found if d["store"] in store_ids]
    return sorted(found, key=lambda d: d["created"], reverse=True)


class Basket:
    def __init__(self, session: SessionBase, store_id: int, draft_id: str) -> None:
        found = (session.get(KEY) or {}).get(draft_id)
        if found is None or found.get("store") != store_id:
            raise Http404("no such sale in progress")
        self.session, self.id, self.data = session, draft_id, found

    @classmethod
    def create(cls, session: SessionBase, store_id: int, site_id: int | None = None) -> Basket:
        all_drafts = session.get(KEY) or {}
        for old in [d["id"] for d in drafts(session)][MAX_DRAFTS - 1 :]:
            all_drafts.pop(old, None)  # the oldest untouched drafts make room
        draft_id = secrets.token_urlsafe(6)
        all_drafts[draft_id] = {
            "store": store_id,
            "items": [],
            "site": site_id if site_id and site_id > 0 else None,
            "created": timezone.now().isoformat(),
        }
        session[KEY] = all_drafts
        session.modified = True
        return cls(session, store_id, draft_id)

    def save(self) -> None:
        self.data["changed"] = timezone.now().isoformat()
        all_drafts = self.session.get(KEY) or {}
        all_drafts[self.id] = self.data
        self.session[KEY] = all_drafts
        self.session.modified = True

    def discard(self) -> None:
        all_drafts = self.session.get(KEY) or {}
        all_drafts.pop(self.id, None)
        self.session[KEY] = all_drafts
        self.session.modified = True

    def site(self, store: Store) -> TemporarySite | None:
        """The temporary site this sale is made at, if any (it must belong to the store)."""
        from stores.models import TemporarySite

        site_id = self.data.get("site")
        return TemporarySite.objects.filter(store=store, pk=site_id).first() if site_id else None

    # The customer as entered stays in the draft, encrypted (personal data at rest, docs/
    # architecture.md invariant 5), and is written only when the sale is finished: a landing date
    # typed into a draft that is never finished changes nothing of the customer's document.
    def set_customer(self, facts: dict[str, Any], language: str) -> bool:
        """The customer form's facts. Returns True when items of another customer had to be removed."""
        person, document = facts_split(facts)
        facts = {**facts, "document_number": document["number"], "passport_number": document["passport_number"]}
        identity = blind_index(f"{document['document_type']}|{document['number']}")
        other = self.data.get("customer") not in (None, identity)
        dropped = other and bool(self.items)
        if other or "language" not in self.data:
            self.data.update(items=[] if other else self.items, language=language)
        stored = {k: v.isoformat() if isinstance(v, date) else v for k, v in facts.items()}
        self.data.update(
            customer=identity,
            facts=encrypt(json.dumps(stored)),
            customer_name=str(Customer(**person)),
            acknowledged=False,
        )
        self.data.pop("found", None)
        self.save()
        return dropped

    def facts(self) -> dict[str, Any] | None:
        """The customer form's facts as entered, or None before the customer step."""
        if not self.data.get("facts"):
            return None
        facts = json.loads(decrypt(self.data["facts"]))
        return {k: date.fromisoformat(v) if k in DATE_FACTS and v else v for k, v in facts.items()}

    def customer_and_document(self, store: Store) -> tuple[Customer, IdentityDocument] | tuple[None, None]:
        """The customer and document as the rules see them for this sale, in memory only: the
        customer's row when they are known at this store (their earlier sales count), with today's
        facts laid over it; nothing is saved."""
        facts = self.facts()
        if facts is None:
            return None, None
        person, document = facts_split(facts)
        found = find_document(store, document["number"], document["document_type"])
        customer = found.customer if found else Customer(store=store)
        for field, value in person.items():
            setattr(customer, field, value)
        return customer, IdentityDocument(customer=customer, **document)

    def registration(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(person, document) for customer_register, at Finish."""
        facts = self.facts()
        if facts is None:
            raise Http404("no customer in this sale")
        return facts_split(facts)

    @property
    def items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.data["items"]
        return items

    def add(self, item: dict[str, Any]) -> list[str]:
        """Adds the item, or more of a product already in the basket; raises ValidationError, and
        changes nothing, when the line would be more than the purchase record can carry. Returns
        the texts whose half-width katakana were made full-width, as the record sends them (shown
        to staff, so what is printed and sent is what they saw)."""
        converted = []
        for key in ("name", "detail"):
            full = charset.to_full_width_kana(item.get(key) or "")
            if full != (item.get(key) or ""):
                converted.append(f"{item[key]} → {full}")
                item = {**item, key: full}
        existing = self._same_product(item)
        quantity = item["quantity"] + (existing["quantity"] if existing else 0)
        self._check(item, quantity, new_line=existing is None)
        if existing:
            existing["quantity"] = quantity
        else:
            self.items.append(item)
        self.save()
        return converted

    def _same_product(self, item: dict[str, Any]) -> dict[str, Any] | None:
        if not item.get("product") or item.get("serial_expected"):
            return None
        return next((i for i in self.items if i.get("product") == item["product"]), None)

    def _check(self, item: dict[str, Any], quantity: int, *, new_line: bool) -> None:
        if new_line and len(self.items) >= limits.MAX_LINES:
            raise ValidationError(_("A sale has at most %(max)s lines.") % {"max": limits.MAX_LINES})
        if quantity > limits.MAX_UNITS:
            raise ValidationError(refusal(limits.amount_problems(quantity, limits.MAX_UNITS)))
        validate_item_name(item["name"])  # a product entered before the limits held may be longer
        validate_detail(item["detail"])
        validate_line_amount(item["unit_price"], quantity)

    def problems(self, customer: Customer) -> list[str]:
        """What pre-flight would refuse in this draft, in the user's language, each with what it
        concerns: the same checks as the forms (a product or customer entered before a limit held
        would otherwise pass until the record is sent)."""
        found = _refused(_("Name"), validate_name, customer.family_name, customer.given_names)
        for part in (customer.family_name, customer.given_names):
            found += _refused(_("Name"), validate_name_part, part)
        for n, item in enumerate(self.items, start=1):
            label = _("Line %(n)s (%(name)s)") % {"n": n, "name": item["name"][:30]}
            found += _refused(label, validate_item_name, item["name"])
            found += _refused(label, validate_detail, item.get("detail", ""))
            found += _refused(label, validate_serial, item.get("serial", ""))
            found += _refused(label, validate_line_amount, item["unit_price"], item["quantity"])
        return list(dict.fromkeys(found))

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.items):
            del self.items[index]
            self.save()

    def edit(self, index: int, **fields: str) -> None:
        if 0 <= index < len(self.items):
            self.items[index].update({k: charset.to_full_width_kana(v) for k, v in fields.items()})
            self.save()

    def lines(self) -> list[ItemLine]:
        return [line_from_dict(i) for i in self.items]

    def order(self, store: Store, *, receipt_number: str) -> SaleOrder:
        """The basket as the sale workflows take it."""
        return SaleOrder(
            store=store,
            lines=tuple(self.lines()),
            customer_language=self.data.get("language", "en"),
            acknowledged=self.data.get("acknowledged", False),
            receipt_number=receipt_number,
            temporary_site=self.site(store),
        )

    def acknowledge(self, language: str) -> None:
        self.data.update(language=language, acknowledged=True)
        self.save()

    # The split advisor (docs/rules.md §2): each item belongs to purchase record 1, 2 or 3.
    MAX_RECORDS = 3

    def set_record(self, index: int, record: int) -> None:
        if 0 <= index < len(self.items) and 1 <= record <= self.MAX_RECORDS:
            self.items[index]["record"] = record
            self.save()

    def suggest_split(self) -> None:
        """Consumables (food, drink, cosmetics, medicine) are what a customer may open in Japan:
        they go to a record of their own, so using one does not void the refund of the rest."""
        kinds = {i.get("category") == "consumable" for i in self.items}
        for item in self.items:
            item["record"] = 2 if len(kinds) == 2 and item.get("category") == "consumable" else 1
        self.save()

    def unsplit(self) -> None:
        for item in self.items:
            item["record"] = 1
        self.save()

    def groups(self) -> list[list[int]]:
        """Item indexes per purchase record that has items, in record order."""
        numbers = sorted({i.get("record", 1) for i in self.items})
        return [[n for n, i in enumerate(self.items) if i.get("record", 1) == number] for number in numbers]


def _refused(label: str, validate: Callable[..., object], *values: Any) -> list[str]:
    try:
        validate(*values)
    except ValidationError as exc:
        return [f"{label}: {message}" for message in exc.messages]
    return []
