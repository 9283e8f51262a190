"""Stores, validators, encryption at rest, roles and the demo data."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from stores.models import TemporarySite
from tests.factories import BusinessFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_a_non_taxable_business_cannot_hold_a_permit():
    store = StoreFactory.build(business=BusinessFactory(is_taxable=False))
    with pytest.raises(ValidationError) as error:
        store.full_clean()
    assert "permit_date" in error.value.message_dict


def test_a_temporary_site_lasts_at_most_seven_months_and_needs_the_approval():
    business = BusinessFactory(temporary_sites_approved_on=date(2026, 1, 1))
    store = StoreFactory(business=business)
    site = TemporarySite(
        business=business,
        store=store,
        name="Fair",
        address="x",
        opens_on=date(2026, 12, 10),
        closes_on=date(2027, 7, 9),
    )
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
