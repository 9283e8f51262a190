"""Sales being entered at a till: drafts kept in the staff member's session, each with its own id.

A draft belongs to one store and, once the customer is entered, to one customer: "New tax-free
sale" always starts an empty draft, two tabs of one user each keep their own, and a basket never
passes to another customer."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from sales.inputs import SaleOrder, line_from_dict
from sales.models import Customer, IdentityDocument
from stores.models import Store
from transmission.validators import refusal, validate_detail, validate_item_name, validate_line_amount
from transmission.wire import limits

KEY = "drafts"
MAX_DRAFTS = 20


def drafts(session, store_ids: set[int] | None = None) -> list[dict]:
    """The drafts in progress, newest first (each with its `id`)."""
    found = [{**d, "id": key} for key, d in (session.get(KEY) or {}).items()]
    if store_ids is not None:
        found = [d for d in found if d["store"] in store_ids]
    return sorted(found, key=lambda d: d["created"], reverse=True)


class Basket:
    def __init__(self, session, store_id: int, draft_id: str):
        found = (session.get(KEY) or {}).get(draft_id)
        if found is None or found.get("store") != store_id:
            raise Http404("no such sale in progress")
        self.session, self.id, self.data = session, draft_id, found

    @classmethod
    def create(cls, session, store_id: int, site_id: int | None = None) -> Basket:
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
        all_drafts = self.session.get(KEY) or {}
        all_drafts[self.id] = self.data
        self.session[KEY] = all_drafts
        self.session.modified = True

    def discard(self) -> None:
        all_drafts = self.session.get(KEY) or {}
        all_drafts.pop(self.id, None)
        self.session[KEY] = all_drafts
        self.session.modified = True

    def site(self, store):
        """The temporary site this sale is made at, if any (it must belong to the store)."""
        from stores.models import TemporarySite

        site_id = self.data.get("site")
        return TemporarySite.objects.filter(store=store, pk=site_id).first() if site_id else None

    def set_customer(self, customer: Customer, document: IdentityDocument, language: str) -> bool:
        """Returns True when items of another customer had to be removed."""
        other = self.data.get("customer") not in (None, customer.pk)
        dropped = other and bool(self.items)
        if other or "language" not in self.data:
            self.data.update(items=[] if other else self.items, language=language)
        self.data.update(customer=customer.pk, document=document.pk, customer_name=str(customer), acknowledged=False)
        self.save()
        return dropped

    def customer_and_document(self, store) -> tuple[Customer, IdentityDocument] | tuple[None, None]:
        if not self.data.get("customer"):
            return None, None
        customer = get_object_or_404(Customer.objects.filter(store=store), pk=self.data["customer"])
        return customer, get_object_or_404(customer.documents, pk=self.data["document"])

    @property
    def items(self) -> list[dict]:
        return self.data["items"]

    def add(self, item: dict) -> None:
        """Adds the item, or more of a product already in the basket; raises ValidationError, and
        changes nothing, when the line would be more than the purchase record can carry."""
        existing = self._same_product(item)
        quantity = item["quantity"] + (existing["quantity"] if existing else 0)
        self._check(item, quantity, new_line=existing is None)
        if existing:
            existing["quantity"] = quantity
        else:
            self.items.append(item)
        self.save()

    def _same_product(self, item: dict) -> dict | None:
        if not item.get("product") or item.get("serial_expected"):
            return None
        return next((i for i in self.items if i.get("product") == item["product"]), None)

    def _check(self, item: dict, quantity: int, *, new_line: bool) -> None:
        if new_line and len(self.items) >= limits.MAX_LINES:
            raise ValidationError(_("A sale has at most %(max)s lines.") % {"max": limits.MAX_LINES})
        if quantity > limits.MAX_UNITS:
            raise ValidationError(refusal(limits.amount_problems(quantity, limits.MAX_UNITS)))
        validate_item_name(item["name"])  # a product entered before the limits held may be longer
        validate_detail(item["detail"])
        validate_line_amount(item["unit_price"], quantity)

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.items):
            del self.items[index]
            self.save()

    def edit(self, index: int, **fields) -> None:
        if 0 <= index < len(self.items):
            self.items[index].update(fields)
            self.save()

    def lines(self):
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
