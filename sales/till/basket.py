"""The sale being entered at a till, kept in the staff member's session until it is finished."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from sales.inputs import line_from_dict
from sales.models import Customer, IdentityDocument


class Basket:
    def __init__(self, session, store_id: int):
        self.session, self.key = session, f"basket-{store_id}"
        self.data = session.get(self.key) or {"items": []}

    def save(self) -> None:
        self.session[self.key] = self.data
        self.session.modified = True

    def clear(self) -> None:
        site = self.data.get("site")
        self.session.pop(self.key, None)
        if site:  # the till stays at its temporary site for the next customer
            self.session[self.key] = {"items": [], "site": site}

    def set_site(self, site_id: int) -> None:
        self.data["site"] = site_id if site_id > 0 else None
        self.save()

    def site(self, store):
        """The temporary site this till sells at, if any (it must belong to the store)."""
        from stores.models import TemporarySite

        site_id = self.data.get("site")
        return TemporarySite.objects.filter(store=store, pk=site_id).first() if site_id else None

    def set_customer(self, customer: Customer, document: IdentityDocument, language: str) -> None:
        self.data.update(customer=customer.pk, document=document.pk, language=language, acknowledged=False)
        self.save()

    def customer_and_document(self, store) -> tuple[Customer, IdentityDocument] | tuple[None, None]:
        if not self.data.get("customer"):
            return None, None
        customer = get_object_or_404(Customer.objects.filter(store=store), pk=self.data["customer"])
        return customer, get_object_or_404(customer.documents, pk=self.data["document"])

    @property
    def items(self) -> list[dict]:
        return self.data["items"]

    def add(self, item: dict) -> None:
        for existing in self.items:
            same_product = item.get("product") and existing.get("product") == item["product"]
            if same_product and not item.get("serial_expected"):
                existing["quantity"] += item["quantity"]
                return self.save()
        self.items.append(item)
        self.save()

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

    def acknowledge(self, language: str) -> None:
        self.data.update(language=language, acknowledged=True)
        self.save()
