"""Stores, validators, encryption at rest, roles and the demo data."""

from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from sales.models import IdentityDocument, Product, Sale
from sales.validators import validate_jan
from stores.models import Business, Store, TemporarySite
from stores.validators import validate_corporate_number, validate_store_identifier
from taxfree import crypto, roles

from .factories import BusinessFactory, DocumentFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_the_national_tax_agencys_own_corporate_number_is_valid():
    validate_corporate_number("7000012050002")
    with pytest.raises(ValidationError):
        validate_corporate_number("8000012050002")
    with pytest.raises(ValidationError):
        validate_corporate_number("700001205000")


def test_a_store_identifier_has_21_digits():
    validate_store_identifier("1" * 21)
    for bad in ("1" * 20, "1" * 22, "1" * 20 + "A"):
        with pytest.raises(ValidationError):
            validate_store_identifier(bad)


def test_jan_codes_are_checked():
    validate_jan("4900000000016")
    validate_jan("49123456")  # JAN-8 short code
    with pytest.raises(ValidationError):
        validate_jan("4900000000019")


def test_a_non_taxable_business_cannot_hold_a_permit():
    store = StoreFactory.build(business=BusinessFactory(is_taxable=False))
    with pytest.raises(ValidationError) as error:
        store.full_clean()
    assert "permit_date" in error.value.message_dict


def test_a_temporary_site_lasts_at_most_seven_months_and_needs_the_approval():
    business = BusinessFactory(temporary_sites_approved_on=date(2026, 1, 1))
    store = StoreFactory(business=business)
    site = TemporarySite(business=business, store=store, name="Fair", address="x",
                         opens_on=date(2026, 12, 10), closes_on=date(2027, 7, 9))
    site.full_clean()
    assert site.notice_due_on == date(2026, 12, 9)
    site.closes_on = date(2027, 7, 10)
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert list(error.value.message_dict) == ["closes_on"]
    business.temporary_sites_approved_on = None
    site.closes_on = date(2027, 1, 10)
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert list(error.value.message_dict) == ["business"]


def test_passport_numbers_are_encrypted_at_rest(store):
    doc = DocumentFactory(customer__store=store, number="TZ7654321", passport_number="PP1112223")
    with connection.cursor() as cursor:
        sql = "SELECT number, passport_number, number_index FROM sales_identitydocument WHERE id = %s"
        cursor.execute(sql, [doc.pk])
        raw = " ".join(cursor.fetchone())
    assert "TZ7654321" not in raw and "PP1112223" not in raw
    assert IdentityDocument.objects.get(pk=doc.pk).number == "TZ7654321"
    assert IdentityDocument.objects.with_number("tz 7654321").get() == doc


def test_field_keys_can_be_rotated(settings, store):
    doc = DocumentFactory(customer__store=store, number="TZ0000042")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_field_keys")
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert IdentityDocument.objects.get(pk=doc.pk).number == "TZ0000042"


def test_the_roles_exist_with_their_permissions():
    perms = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert set(perms) == set(roles.ROLES)
    assert all(p.startswith("view_") for p in perms[roles.ACCOUNTANT])
    assert "delete_sale" not in set().union(*perms.values())
    assert {"add_sale", "view_sale"} <= perms[roles.STORE_STAFF] and "change_sale" not in perms[roles.STORE_STAFF]


def test_the_demo_data_is_idempotent_and_covers_both_regimes(capsys):
    call_command("demo_seed")
    call_command("demo_seed")
    assert Business.objects.count() == 1 and Store.objects.count() == 3
    assert set(Sale.objects.values_list("regime", flat=True)) == {"legacy", "refund"}
    assert "demo-officer" in capsys.readouterr().out
    for model in (Business, Store, Product):
        for row in model.objects.all():
            row.full_clean()
    assert crypto.blind_index("X00000001") in set(IdentityDocument.objects.values_list("number_index", flat=True))
