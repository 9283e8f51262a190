"""Stores, validators, encryption at rest, roles and the demo data."""


import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from sales.models import IdentityDocument
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


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

