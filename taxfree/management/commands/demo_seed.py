"""Demo data: one business, three stores (one with a temporary site), a user per role,
products, customers covering the document cases, and sales on both sides of 2026-11-01.
Idempotent: a second run changes nothing but resets the demo passwords."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sales import services
from sales.customers import customer_register
from sales.inputs import SaleOrder, line_from_dict, product_item
from sales.models import Product, Sale
from sales.refunds.payouts.models import PayoutAccount
from sales.refunds.payouts.services import payout_set
from stores.models import Business, Store, TemporarySite
from taxfree import roles
from taxfree.demo import business as demo

TOKYO = ZoneInfo("Asia/Tokyo")
USERS = [
    ("officer", "demo-officer", roles.COMPLIANCE_OFFICER, True),  # e-mail: officer@example.invalid
    ("staff", "demo-staff", roles.STORE_STAFF, False),
    ("accountant", "demo-accountant", roles.ACCOUNTANT, True),
]
PRODUCTS: list[tuple[str, str, int, str, str, dict[str, Any]]] = [
    # name, JAN, price (tax incl.), rate, category, extra
    (
        "Grand Seiko SBGA211 腕時計",
        "4900000000016",
        1_210_000,
        "standard",
        "general",
        {"detail_template": "グランドセイコー、型番SBGA211、白文字盤、チタン", "serial_expected": True},
    ),
    (
        "山崎 12年 ウイスキー 700ml",
        "4900000000023",
        22_000,
        "standard",
        "consumable",
        {"liquor_category": "spirits", "alcohol_percent": 43, "volume_ml": 700},
    ),
    (
        "純米大吟醸 720ml",
        "4900000000030",
        5_500,
        "standard",
        "consumable",
        {"liquor_category": "sake", "alcohol_percent": 16, "volume_ml": 720},
    ),
    ("抹茶クッキー詰め合わせ", "4900000000047", 3_240, "reduced", "consumable", {}),
    ("化粧水 200ml", "4900000000054", 4_400, "standard", "consumable", {}),
    ("西陣織 帯", "4900000000061", 66_000, "standard", "general", {}),
    ("金地金 100g", "4900000000078", 2_200_000, "standard", "general", {"excluded": True}),
]


# A demo customer: the person and the identity document, as the till's forms give them.
Spec = tuple[dict[str, Any], dict[str, Any]]


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="load the demo even with DEBUG off (benchmarks only: the demo logins are public)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            if not options["force"]:
                raise CommandError(
                    "demo_seed creates accounts with published passwords: it runs only with "
                    "DEBUG on (use --force for a throw-away benchmark database)."
                )
            self.stderr.write("WARNING: demo accounts with published passwords are being created with DEBUG off.")
        business = self._business()
        stores = self._stores(business)
        users = self._users(stores)
        products = self._products(business)
        if not Sale.objects.filter(store__business=business).exists():
            self._sales(users["officer"], stores, products)
            self._walk_ins(users["officer"], stores["ginza"])
        business.officers.add(users["officer"])
        self._payouts(users["officer"], business)
        demo.certificates(users["officer"], business, stores)
        demo.jpki(business)
        demo.filings(users["officer"], business, stores)
        if options["verbosity"] < 1:  # `make run` prints the logins itself, once the app answers
            return
        self.stdout.write("Demo logins (user / password / role):")
        for username, password, role, _staff in USERS:
            self.stdout.write(f"  {username:<11} {password:<16} {role}")

    def _business(self) -> Business:
        business, _ = Business.objects.get_or_create(
            corporate_number="4010001234567",
            defaults={
                "name": "さくら商事株式会社 (demo)",
                "is_taxable": True,
                "tax_payment_place": "東京都中央区銀座1-1-1",
                "tax_office": "京橋税務署",
                "registered_email": "tax@example.invalid",
                "temporary_sites_approved_on": date(2026, 4, 1),
            },
        )
        return business

    def _stores(self, business: Business) -> dict[str, Store]:
        specs = {
            "ginza": ("銀座本店", "東京都中央区銀座1-1-1", "100000000000000000001", False),
            "kyoto": ("京都酒蔵店", "京都府京都市伏見区1-2-3", "100000000000000000002", True),
            "osaka": ("大阪心斎橋店", "大阪府大阪市中央区心斎橋筋2-3-4", "100000000000000000003", False),
        }
        stores = {}
        for key, (name, address, identifier, liquor) in specs.items():
            stores[key], _ = Store.objects.get_or_create(
                identifier=identifier,
                defaults={
                    "business": business,
                    "name": name,
                    "address": address,
                    "manager_name": "山田 花子",
                    "permit_date": date(2024, 4, 1),
                    "liquor_export": liquor,
                },
            )
        opens = timezone.localdate() + timedelta(days=5)  # its 設置届出書 is due in four days
        TemporarySite.objects.get_or_create(
            business=business,
            store=stores["osaka"],
            name="梅田 冬の物産展 (臨時販売場)",
            defaults={
                "address": "大阪府大阪市北区梅田3-1-1",
                "opens_on": opens,
                "closes_on": opens + timedelta(days=45),
            },
        )
        return stores

    def _users(self, stores: dict[str, Store]) -> dict[str, User]:
        users = {}
        for username, password, role, is_staff in USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.email = f"{username}@example.invalid"
            user.is_staff = is_staff
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        stores["ginza"].staff.add(users["staff"])
        stores["kyoto"].staff.add(users["staff"])
        return users

    def _products(self, business: Business) -> dict[str, Product]:
        products = {}
        for name, jan, price, rate, category, extra in PRODUCTS:
            products[jan], _ = Product.objects.get_or_create(
                business=business,
                jan_code=jan,
                defaults={
                    "name": name,
                    "unit_price": price,
                    "price_includes_tax": True,
                    "tax_rate": rate,
                    "category": category,
                    **extra,
                },
            )
        return products

    def _sales(self, officer: User, stores: dict[str, Store], products: dict[str, Product]) -> None:
        today = timezone.localdate()
        for customer_spec, store_key, when, items in self._sale_specs(today):
            store = stores[store_key]
            person, document = customer_spec
            customer, doc, _new = customer_register(actor=officer, store=store, person=person, document=document)
            lines = []
            for jan, qty, extra in items:
                lines.append(line_from_dict({**product_item(products[jan], qty), **extra}))
            sold_at = datetime.combine(when, datetime.min.time(), TOKYO) + timedelta(hours=14)
            services.sale_finalize(
                actor=officer,
                order=SaleOrder(
                    store=store, lines=tuple(lines), customer_language="en", acknowledged=True, sold_at=sold_at
                ),
                customer=customer,
                document=doc,
            )

    def _payouts(self, officer: User, business: Business) -> None:
        """The refund routes of the demo's refund-method sales: the oldest was paid by card through
        Stripe (the stand-in holds pi_demo_1), the next lets the traveller choose on their page."""
        PayoutAccount.objects.get_or_create(
            business=business, defaults={"holder": "SAKURA SHOJI KK", "account_number": "1234567", "bic": "SAKRJPJT"}
        )
        refund_sales = Sale.objects.filter(store__business=business, kind="sale", regime="refund", payout__isnull=True)
        routes = [
            (
                "card",
                {"provider": "stripe", "payment_reference": "pi_demo_1", "brand": "visa", "last4": "4242"},
                "chien@example.com",
                "zh-hant",
            ),
            ("later", {}, "taro@example.com", "ja"),
        ]
        for sale, (method, data, email, language) in zip(refund_sales.order_by("sold_at", "pk"), routes, strict=False):
            payout_set(actor=officer, sale=sale, by="till", method=method, data=data, email=email, language=language)

    def _walk_ins(self, officer: User, store: Store) -> None:
        """Customers to try at the till, including ones the rules refuse."""
        today = timezone.localdate()
        for key in ("kor_crew", "gbr_no_stamp", "vnm_student"):
            person, document = CUSTOMERS[key](today - timedelta(days=3))
            customer_register(actor=officer, store=store, person=person, document=document)

    def _sale_specs(self, today: date) -> list[tuple[Spec, str, date, list[tuple[str, int, dict[str, str]]]]]:
        c = CUSTOMERS
        return [
            (c["usa"](date(2026, 10, 12)), "ginza", date(2026, 10, 20), [("4900000000061", 1, {})]),
            (
                c["chn"](date(2026, 10, 25)),
                "ginza",
                date(2026, 10, 28),
                [("4900000000047", 1, {}), ("4900000000054", 1, {}), ("4900000000061", 1, {})],
            ),
            (
                c["twn"](date(2026, 11, 3)),
                "kyoto",
                date(2026, 11, 3),
                [("4900000000023", 2, {}), ("4900000000030", 1, {})],
            ),
            (
                c["jpn"](date(2026, 11, 10)),
                "ginza",
                date(2026, 11, 12),
                [("4900000000016", 1, {"serial": "7R1234567"})],
            ),
            (c["tha"](today - timedelta(days=2)), "ginza", today, [("4900000000054", 3, {})]),
        ]


def _passport(number: str, nationality: str, landing: date, **facts: Any) -> dict[str, Any]:
    return {
        "document_type": "passport",
        "number": number,
        "issuing_country": nationality,
        "expiry_date": date(2031, 5, 1),
        "passport_number": "",
        "status_of_residence": "temporary_visitor",
        "landing_date": landing,
        "has_landing_stamp": True,
        "proof_document": "",
        "moved_abroad_date": None,
        **facts,
    }


def _person(family: str, given: str, nationality: str, birth: date, sex: str) -> dict[str, Any]:
    return {
        "family_name": family,
        "given_names": given,
        "nationality": nationality,
        "birth_date": birth,
        "sex": sex,
        "works_in_japan": False,
    }


# Synthetic people; document numbers are made up and match no real passport.
CUSTOMERS: dict[str, Callable[[date], Spec]] = {
    "usa": lambda landed: (
        _person("SAMPLE", "ALEX", "USA", date(1988, 3, 14), "X"),
        _passport("X00000001", "USA", landed),
    ),
    "chn": lambda landed: (
        _person("TEST", "MEI", "CHN", date(1995, 7, 2), "F"),
        {**_passport("E00000002", "CHN", landed), "document_type": "vjw_qr", "has_landing_stamp": False},
    ),
    "twn": lambda landed: (
        _person("DEMO", "CHIEN", "TWN", date(1979, 1, 30), "M"),
        {
            **_passport("P00000003", "TWN", landed),
            "document_type": "landing_permit_cruise",
            "status_of_residence": "",
            "has_landing_stamp": False,
            "passport_number": "300000003",
        },
    ),
    "jpn": lambda landed: (
        _person("SHIKEN", "TARO", "JPN", date(1980, 5, 5), "M"),
        {
            **_passport("TZ0000004", "JPN", landed),
            "status_of_residence": "",
            "proof_document": "residence_certificate",
            "moved_abroad_date": date(2019, 4, 1),
        },
    ),
    "kor_crew": lambda landed: (
        _person("SAMPLE", "MINJUN", "KOR", date(1985, 9, 9), "M"),
        {
            **_passport("C00000006", "KOR", landed),
            "document_type": "landing_permit_crew",
            "status_of_residence": "",
            "has_landing_stamp": False,
            "passport_number": "M00000006",
        },
    ),
    "gbr_no_stamp": lambda landed: (
        _person("EXAMPLE", "OLIVER", "GBR", date(1992, 4, 4), "M"),
        {**_passport("G00000007", "GBR", landed), "has_landing_stamp": False},
    ),
    "vnm_student": lambda landed: (
        _person("TEST", "LAN", "VNM", date(2003, 6, 6), "F"),
        {**_passport("V00000008", "VNM", landed), "status_of_residence": "student"},
    ),
    "tha": lambda landed: (
        _person("EXAMPLE", "SOMCHAI", "THA", date(1970, 12, 1), "M"),
        {**_passport("D00000005", "THA", landed), "status_of_residence": "diplomat"},
    ),
}
