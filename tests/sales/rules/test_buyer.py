"""Who may buy tax-free (docs/rules.md §1)."""

from datetime import date

import pytest

from sales.rules import Buyer, Item, SaleInput, evaluate
from sales.rules.buyer import passport_shown, within_six_months
from taxfree.dates import add_months

SALE_DAY = date(2026, 11, 21)
KIMONO = (Item("Kimono", 1, 10_000),)


def codes(buyer: Buyer, day: date = SALE_DAY) -> list[str]:
    return [r.code for r in evaluate(SaleInput(day, buyer, KIMONO)).reasons if r.severity == "error"]


def visitor(**facts) -> Buyer:
    base = {
        "document_type": "passport",
        "nationality": "USA",
        "status_of_residence": "temporary_visitor",
        "landing_date": date(2026, 11, 1),
        "has_landing_stamp": True,
    }
    return Buyer(**{**base, **facts})


def test_it_accepts_a_temporary_visitor_with_a_landing_stamp():
    assert codes(visitor()) == []


def test_it_refuses_a_sale_without_an_identity_document():
    assert codes(visitor(document_type=None)) == ["no_identity_document"]


def test_it_refuses_a_passport_without_landing_stamp_from_an_automated_gate():
    assert codes(visitor(has_landing_stamp=False)) == ["no_landing_stamp"]


def test_it_accepts_the_visit_japan_web_qr_code_instead_of_the_stamp():
    assert codes(visitor(document_type="vjw_qr", has_landing_stamp=False)) == []


@pytest.mark.parametrize(
    "landed, ok",
    [
        (date(2026, 5, 22), True),  # six months end tomorrow
        (date(2026, 5, 21), False),  # exactly six months ago: no longer "less than six months"
        (date(2025, 11, 21), False),
    ],
)
def test_the_six_month_rule_counts_calendar_months(landed, ok):
    assert (codes(visitor(landing_date=landed)) == []) is ok


def test_six_months_after_the_31st_of_august_ends_at_the_end_of_february():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert within_six_months(date(2026, 8, 31), date(2027, 2, 27))
    assert not within_six_months(date(2026, 8, 31), date(2027, 2, 28))


def test_a_landing_date_after_the_sale_is_refused():
    assert codes(visitor(landing_date=date(2026, 11, 22))) == ["landing_date_in_future"]


def test_a_missing_landing_date_is_refused():
    assert codes(visitor(landing_date=None)) == ["landing_date_missing"]


@pytest.mark.parametrize("status", ["student", "worker", "dependent", "other"])
def test_other_statuses_of_residence_are_not_eligible(status):
    assert codes(visitor(status_of_residence=status)) == ["status_not_eligible"]


@pytest.mark.parametrize("status", ["diplomat", "official"])
def test_diplomats_and_officials_have_no_six_month_limit(status):
    assert codes(visitor(status_of_residence=status, landing_date=date(2020, 1, 1))) == []


def test_a_sofa_member_is_eligible():
    assert codes(visitor(status_of_residence="sofa", landing_date=None, has_landing_stamp=False)) == []


def test_anyone_working_at_an_office_in_japan_is_a_resident():
    assert codes(visitor(works_in_japan=True)) == ["works_in_japan"]


def test_an_expired_document_is_refused():
    assert codes(visitor(document_expiry=date(2026, 11, 20))) == ["document_expired"]


@pytest.mark.parametrize(
    "permit", ["landing_permit_cruise", "landing_permit_crew", "landing_permit_emergency", "landing_permit_distress"]
)
def test_under_the_refund_method_these_permits_need_the_passport_too(permit):
    buyer = visitor(document_type=permit, status_of_residence=None, has_landing_stamp=False)
    assert codes(buyer) == ["passport_required_with_permit"]
    assert codes(Buyer(**{**buyer.__dict__, "passport_shown": True})) == []


def test_before_the_refund_method_a_cruise_permit_alone_was_enough():
    buyer = visitor(document_type="landing_permit_cruise", status_of_residence=None, landing_date=date(2026, 10, 20))
    assert codes(buyer, date(2026, 10, 25)) == []


@pytest.mark.parametrize("permit", ["landing_permit_transit", "landing_permit_port_of_call"])
def test_transit_and_port_of_call_permits_are_accepted_within_six_months(permit):
    buyer = visitor(document_type=permit, status_of_residence=None)
    assert codes(buyer) == []
    assert codes(visitor(document_type=permit, landing_date=date(2026, 1, 1))) == ["stay_six_months_or_more"]


def japanese(**facts) -> Buyer:
    base = {
        "document_type": "passport",
        "nationality": "JPN",
        "landing_date": date(2026, 11, 10),
        "has_landing_stamp": True,
        "proof_document": "residence_certificate",
        "moved_abroad_date": date(2020, 4, 1),
    }
    return Buyer(**{**base, **facts})


def test_a_japanese_national_living_abroad_with_proof_is_eligible():
    assert codes(japanese()) == []


def test_a_japanese_national_needs_a_proof_document():
    assert codes(japanese(proof_document=None)) == ["japanese_proof_missing"]


def test_the_my_number_card_is_accepted_only_from_2026_11_01():
    assert codes(japanese(proof_document="my_number_card")) == []
    legacy = japanese(proof_document="my_number_card", landing_date=date(2026, 10, 1))
    assert codes(legacy, date(2026, 10, 31)) == ["japanese_proof_not_accepted"]


def test_a_japanese_national_must_have_lived_abroad_two_years():
    assert codes(japanese(moved_abroad_date=date(2025, 1, 1))) == ["japanese_abroad_less_than_two_years"]
    assert codes(japanese(moved_abroad_date=None)) == ["japanese_moved_abroad_date_missing"]


def test_a_japanese_national_needs_the_return_stamp_and_a_passport():
    assert codes(japanese(has_landing_stamp=False)) == ["japanese_return_stamp_missing"]
    assert codes(japanese(document_type="vjw_qr")) == ["document_not_for_japanese"]


def test_a_japanese_national_back_for_six_months_or_more_is_refused():
    assert codes(japanese(landing_date=date(2026, 5, 1))) == ["stay_six_months_or_more"]


def test_a_document_expiring_on_the_day_of_sale_is_still_valid():
    assert "document_expired" not in codes(visitor(document_expiry=SALE_DAY))
    assert "document_expired" in codes(visitor(document_expiry=date(2026, 11, 20)))


def test_japanese_nationals_qualify_from_exactly_two_years_abroad():
    japanese = {
        "document_type": "passport",
        "nationality": "JPN",
        "landing_date": date(2026, 11, 1),
        "has_landing_stamp": True,
        "proof_document": "residence_certificate",
    }
    assert codes(Buyer(**japanese, moved_abroad_date=date(2024, 11, 21))) == []
    assert codes(Buyer(**japanese, moved_abroad_date=date(2024, 11, 22))) == ["japanese_abroad_less_than_two_years"]


@pytest.mark.parametrize(
    "document_type, number, shown, expected",
    [
        ("passport", "", False, True),
        ("landing_permit_cruise", "", False, False),
        ("landing_permit_cruise", "TZ1234567", False, True),
        ("landing_permit_cruise", "", True, True),
        (None, "", False, False),
    ],
)
def test_when_the_passport_counts_as_shown(document_type, number, shown, expected):
    assert passport_shown(document_type, number, shown) is expected


def test_by_default_a_permit_alone_is_not_a_passport():
    assert passport_shown("landing_permit_crew") is False
