"""Encryption at rest and key rotation."""

import os

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from sales.models import IdentityDocument
from taxfree.models import AuditEvent
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


def test_rotation_covers_every_encrypted_value_and_the_old_key_can_go(settings, store, clerk):
    from sales.capture.models import PassportCapture
    from taxfree.crypto import decrypt, decrypt_bytes, encrypt_bytes
    from tests.factories import finalize, item

    doc = DocumentFactory(
        customer__store=store, number="TZ0000043", document_type="landing_permit_crew", passport_number="TP7654321"
    )
    record = finalize(clerk, doc, [item(10_000)]).record
    capture = PassportCapture.objects.create(
        image=encrypt_bytes(b"\x89PNG image"), content_type="image/png", status="accepted"
    )
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    record.refresh_from_db()
    buyer = record.payload["buyer"]
    assert (decrypt(buyer["document_number"]), decrypt(buyer["passport_number"])) == ("TZ0000043", "TP7654321")
    assert decrypt_bytes(PassportCapture.objects.get(pk=capture.pk).image) == b"\x89PNG image"
    assert IdentityDocument.objects.get(pk=doc.pk).passport_number == "TP7654321"
    rotation = AuditEvent.objects.get(action="field_keys_rotate")
    assert (
        rotation.data["counts"]["sales.IdentityDocument"] == 1
        and rotation.data["counts"]["sales.PassportCapture images"] == 1
    )
