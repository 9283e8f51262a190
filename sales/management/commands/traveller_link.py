"""manage.py traveller_link SALE_ID … | --demo: the traveller's page of a sale (as on the receipt)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sales.models import Sale
from sales.traveller import links


class Command(BaseCommand):
    help = "Print the traveller's link of refund-method sales (the QR code on their purchase-record sheet)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sale_ids", nargs="*", type=int)
        parser.add_argument("--demo", action="store_true", help="The demo's sale whose traveller chooses the route.")

    def handle(self, *args: Any, **options: Any) -> None:
        sales = Sale.objects.filter(kind="sale", regime="refund")
        if options["demo"]:
            sales = sales.filter(payout__method="later").order_by("sold_at", "pk")[:1]
        elif options["sale_ids"]:
            sales = sales.filter(pk__in=options["sale_ids"])
        else:
            raise CommandError("Name the sales, or --demo.")
        for sale in sales:
            self.stdout.write(f"sale #{sale.pk}: {links.url(sale.pk)}")
