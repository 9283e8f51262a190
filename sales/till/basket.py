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

    def acknowledge(self, language: str) -> None:
        self.data.update(language=language, acknowledged=True)
        self.save()
