"""The frozen payload data of a purchase record, written in the sale's transaction.

It holds every fact the NTA record needs, as they were at the sale; the wire module of the
API version builds the JSON from it when sending (a later issue), so later edits of stores or
customers never change a record already made.
"""

from __future__ import annotations

PAYLOAD_VERSION = 1


def freeze_payload(sale) -> dict:
    store, customer, document = sale.store, sale.customer, sale.document
    return {
        "version": PAYLOAD_VERSION,
        "kind": sale.kind,
        "regime": sale.regime,
        "cancels_sale": sale.cancels_id,
        "sold_at": sale.sold_at.isoformat(),
        "sale_date": sale.sale_date.isoformat(),
        "store": {
            "identifier": store.identifier,
            "name": store.name,
            "address": store.address,
            "manager": store.manager_name,
            "tax_payment_place": store.business.tax_payment_place,
            "business": store.business.name,
        },
        "temporary_site": {
            "name": sale.temporary_site.name, "address": sale.temporary_site.address,
        } if sale.temporary_site_id else None,
        "buyer": {
            "document_type": document.document_type,
            # passport numbers stay encrypted in IdentityDocument; the record refers to it
            "document_id": document.pk,
            "family_name": customer.family_name,
            "given_names": customer.given_names,
            "nationality": customer.nationality,
            "birth_date": customer.birth_date.isoformat(),
            "sex": customer.sex,
            "status_of_residence": document.status_of_residence,
            "landing_date": document.landing_date.isoformat() if document.landing_date else None,
            "proof_document": document.proof_document,
            "moved_abroad_date": document.moved_abroad_date.isoformat() if document.moved_abroad_date else None,
        },
        "items": [
            {
                "line": i.line,
                "name": i.name,
                "quantity": i.quantity,
                "unit_price_excl_tax": i.unit_price_excl_tax,
                "amount_excl_tax": i.amount_excl_tax,
                "rate_percent": i.rate_percent,
                "reduced": i.tax_rate == "reduced",
                "category": i.category,
                "detail": i.detail,
                "serial": i.serial,
                "liquor": {
                    "category": i.liquor_category,
                    "alcohol_percent": str(i.alcohol_percent),
                    "volume_ml": i.volume_ml,
                    "liquor_tax_per_unit": i.liquor_tax_per_unit,
                } if i.liquor_category else None,
            }
            for i in sale.items.all()
        ],
        "totals": {"excl_tax": sale.total_excl_tax, "tax": sale.total_tax, "refund": sale.refund_amount},
    }
