"""Stores, validators, encryption at rest, roles and the demo data."""


import pytest
from django.core.management import call_command

from sales.models import IdentityDocument, Product, Sale
from stores.models import Business, Store
from taxfree import crypto

pytestmark = pytest.mark.django_db


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

