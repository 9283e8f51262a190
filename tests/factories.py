from __future__ import annotations

import io
import random
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.models import Group, User
from PIL import Image

from sales.models import Customer, IdentityDocument, Product
from stores.models import Business, Store
from taxfree import roles


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    corporate_number = None
    is_taxable = True
    tax_payment_place = "東京都千代田区1-1"
    tax_office = "麹町税務署"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    address = "東京都千代田区1-1"
    manager_name = "Manager"
    permit_date = date(2024, 1, 1)
    identifier = factory.Sequence(lambda n: f"{n + 1:021d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            self.is_staff = extracted != roles.STORE_STAFF
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    family_name = "SAMPLE"
    given_names = "ALEX"
    nationality = "USA"
    birth_date = date(1990, 1, 1)
    sex = "X"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityDocument

    customer = factory.SubFactory(CustomerFactory)
    document_type = "passport"
    number = factory.Sequence(lambda n: f"TK{n:07d}")
    status_of_residence = "temporary_visitor"
    landing_date = date(2026, 11, 15)
    has_landing_stamp = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_price = 11_000
    price_includes_tax = True


# A synthetic identity for generated MRZs and passport pages: never a real person's.
MRZ_PERSON = {
    "issuer": "USA",
    "nationality": "USA",
    "surname": "SAMPLE",
    "given": "ALEX JO",
    "number": "X12345678",
    "birth": date(1990, 2, 3),
    "expiry": date(2031, 5, 6),
    "sex": "F",
    "personal": "",
}
TOKYO = ZoneInfo("Asia/Tokyo")


def at(day: date, hour: int = 14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO)


def passport_page(lines, rotate=0, card=False, fmt="PNG", exif_orientation=None) -> bytes:
    """A generated passport page (bench/mrz_synth.py) as image bytes."""
    from bench.mrz_synth import render

    image = render(lines, random.Random(7), card=card)
    if rotate:
        image = image.rotate(rotate, expand=True)
    out = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, "JPEG", quality=92, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def finalize(user, document, lines, day=date(2026, 11, 21), hour=14):
    """A finished sale of these item dicts, sold at 14:00 Tokyo time on the day."""
    from sales import services
    from sales.inputs import SaleOrder, line_from_dict

    return services.sale_finalize(
        actor=user,
        order=SaleOrder(
            store=document.customer.store,
            lines=tuple(line_from_dict(line) for line in lines),
            customer_language="en",
            acknowledged=True,
            sold_at=at(day, hour),
        ),
        customer=document.customer,
        document=document,
    ).sale


def item(price, qty=1, **kw):
    return {"name": "Bag", "quantity": qty, "unit_price": price, **kw}


def api_token(user) -> str:
    """A usable API token's secret for this user."""
    from taxfree.tokens import token_issue

    return token_issue(actor=None, user=user, name="test till")[1]


def till_start(client, store, customer: dict | None = None, site: int = 0) -> SimpleNamespace:
    """ "New tax-free sale" at a store: the draft's addresses (customer, basket, explain, finish,
    discard), with the customer form posted when given."""
    from django.urls import reverse

    answer = client.get(reverse("staff:start", args=[store.pk]) + f"?site={site}")
    draft = answer.url.rstrip("/").split("/")[-1]
    urls = SimpleNamespace(
        **{
            name: reverse(f"staff:{name}", args=[store.pk, draft])
            for name in ("customer", "basket", "explain", "finish", "discard")
        },
        draft=draft,
    )
    if customer is not None:
        urls.answer = client.post(urls.customer, customer)
    return urls


def till_customer_found(client, till: SimpleNamespace, number: str, **changes):
    """A returning customer found by document number and confirmed as prefilled (the customer
    step's form sent as the page shows it, with `changes`); the answer to that post."""
    client.post(till.customer, {"search": "1", "s-number": number})
    initial = client.get(till.customer).context["form"].initial
    data = {
        f"c-{k}": ("on" if v is True else v.isoformat() if hasattr(v, "isoformat") else v) for k, v in initial.items()
    }
    data = {k: v for k, v in data.items() if v is not False}
    return client.post(till.customer, {**data, **{f"c-{k}": v for k, v in changes.items()}})


def otp_verified(client, user) -> None:
    """Log `user` in on `client` with a second factor already verified (what django-otp keeps in the
    session once the code was right)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
