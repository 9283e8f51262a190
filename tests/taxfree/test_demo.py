"""The demo data."""

import os

import pytest
from django.core.management import CommandError, call_command

from sales.models import IdentityDocument, Product, Sale
from stores.models import Business, Store
from taxfree import crypto

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings, tmp_path):
    settings.DEBUG, settings.NTA_SANDBOX_DIR = True, tmp_path / "sandbox"
    return settings


def test_the_demo_data_is_idempotent_and_covers_both_regimes(capsys, debug):
    call_command("demo_seed")
    call_command("demo_seed")
    assert Business.objects.count() == 1 and Store.objects.count() == 3
    assert set(Sale.objects.values_list("regime", flat=True)) == {"legacy", "refund"}
    assert "demo-officer" in capsys.readouterr().out
    for model in (Business, Store, Product):
        for row in model.objects.all():
            row.full_clean()
    assert crypto.blind_index("X00000001") in set(IdentityDocument.objects.values_list("number_index", flat=True))


def test_the_demo_refuses_to_run_with_debug_off(settings, tmp_path):
    settings.DEBUG, settings.NTA_SANDBOX_DIR = False, tmp_path / "sandbox"
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_seed")
    assert Business.objects.count() == 0
    call_command("demo_seed", "--force", stderr=open(os.devnull, "w"), stdout=open(os.devnull, "w"))
    assert Business.objects.count() == 1
