"""Every reason the engine returns, rendered with its parameters in both languages: a renamed or
wrong parameter fails here, not at the till."""

from datetime import date

import pytest

from sales.rules import Buyer, Item, Liquor, SaleInput, evaluate
from sales.rules.messages import MESSAGES, PACKING_MESSAGES, packing_message, render
from sales.rules.types import Earlier

DAY, LEGACY = date(2026, 11, 21), date(2026, 10, 30)
VISITOR = dict(
    document_type="passport",
    nationality="USA",
    status_of_residence="temporary_visitor",
    has_landing_stamp=True,
    landing_date=date(2026, 11, 1),
)
BAG = Item("Bag", 1, 10_000)


NOTHING_EARLIER = Earlier()


def decide(items=(BAG,), day=DAY, earlier=NOTHING_EARLIER, liquor_export=False, **buyer):
    return evaluate(SaleInput(day, Buyer(**{**VISITOR, **buyer}), tuple(items), earlier, liquor_export))


def reasons(decision):
    return list(decision.reasons) + [r for i in decision.items for r in i.issues]


JPN = dict(
    nationality="JPN",
    status_of_residence=None,
    proof_document="residence_certificate",
    moved_abroad_date=date(2020, 1, 1),
)
# code → (decision, severity, words in English, words in Japanese)
CASES = {
    "no_identity_document": (lambda: decide(document_type=None), "error", [], []),
    "document_expired": (lambda: decide(document_expiry=date(2026, 11, 20)), "error", ["2026-11-20"], ["2026-11-20"]),
    "works_in_japan": (lambda: decide(works_in_japan=True), "error", [], []),
    "status_not_eligible": (lambda: decide(status_of_residence="student"), "error", ["'student'"], ["「留学」"]),
    "status_missing": (lambda: decide(status_of_residence=None), "error", [], []),
    "no_landing_stamp": (lambda: decide(has_landing_stamp=False), "error", [], []),
    "landing_date_missing": (lambda: decide(landing_date=None), "error", [], []),
    "landing_date_in_future": (
        lambda: decide(landing_date=date(2026, 11, 22)),
        "error",
        ["2026-11-22"],
        ["2026-11-22"],
    ),
    "stay_six_months_or_more": (
        lambda: decide(landing_date=date(2026, 5, 21)),
        "error",
        ["2026-05-21", "2026-11-20"],
        ["2026-05-21", "2026-11-20"],
    ),
    "passport_required_with_permit": (lambda: decide(document_type="landing_permit_cruise"), "error", [], []),
    "japanese_proof_missing": (
        lambda: decide(**{**JPN, "proof_document": None}),
        "error",
        ["family_register_attachment, my_number_card, residence_certificate"],
        ["my_number_card"],
    ),
    "japanese_proof_not_accepted": (
        lambda: decide(day=LEGACY, landing_date=LEGACY, **{**JPN, "proof_document": "my_number_card"}),
        "error",
        ["'my_number_card'"],
        ["my_number_card"],
    ),
    "japanese_moved_abroad_date_missing": (lambda: decide(**{**JPN, "moved_abroad_date": None}), "error", [], []),
    "japanese_abroad_less_than_two_years": (
        lambda: decide(**{**JPN, "moved_abroad_date": date(2025, 1, 1)}),
        "error",
        ["2025-01-01"],
        ["2025-01-01"],
    ),
    "japanese_return_stamp_missing": (lambda: decide(**{**JPN, "has_landing_stamp": False}), "error", [], []),
    "document_not_for_japanese": (lambda: decide(**{**JPN, "document_type": "vjw_qr"}), "error", [], []),
    "total_below_minimum": (lambda: decide([Item("Gum", 1, 4_321)]), "error", ["¥4,321", "¥5,000"], ["4,321", "5,000"]),
    "consumables_over_cap": (
        lambda: decide([Item("Tea", 1, 500_001, category="consumable")], day=LEGACY, landing_date=LEGACY),
        "error",
        ["¥500,001", "¥500,000"],
        ["500,001", "500,000"],
    ),
    "combined_over_cap": (
        lambda: decide(
            [Item("Pen", 1, 4_000), Item("Tea", 1, 3_000, category="consumable")],
            day=LEGACY,
            landing_date=LEGACY,
            earlier=Earlier(498_000, 498_000),
        ),
        "error",
        ["¥500,000", "¥505,000"],
        ["500,000", "505,000"],
    ),
    "consumables_below_minimum_alone": (
        lambda: decide(
            [Item("Pen", 1, 6_000), Item("Tea", 1, 3_000, category="consumable")],
            day=LEGACY,
            landing_date=LEGACY,
            earlier=Earlier(497_000, 0),
        ),
        "error",
        ["¥3,000", "¥5,000"],
        ["3,000", "5,000"],
    ),
    "general_below_minimum_alone": (
        lambda: decide(
            [Item("Pen", 1, 3_000), Item("Tea", 1, 6_000, category="consumable")],
            day=LEGACY,
            landing_date=LEGACY,
            earlier=Earlier(497_000, 497_000),
        ),
        "error",
        ["¥3,000", "¥5,000"],
        ["3,000", "5,000"],
    ),
    "item_issues": (lambda: decide([Item("Bag", 0, 10_000)]), "error", [], []),
    "no_items": (lambda: decide([]), "error", [], []),
    "passport_copy_required": (
        lambda: decide([Item("Ring", 1, 1_000_001, detail="K18 ダイヤ 指輪 1ct")], day=LEGACY, landing_date=LEGACY),
        "warning",
        [],
        [],
    ),
    "item_excluded": (lambda: decide([BAG, Item("Gold", 1, 10_000, excluded=True)]), "error", [], []),
    "quantity_not_positive": (lambda: decide([Item("Bag", 0, 10_000)]), "error", [], []),
    "price_negative": (lambda: decide([Item("Bag", 1, -1)]), "error", [], []),
    "detail_required": (lambda: decide([Item("Watch", 1, 1_234_567)]), "error", ["¥1,234,567"], []),
    "detail_too_long": (lambda: decide([Item("Watch", 1, 10_000, detail="あ" * 81)]), "error", ["81"], ["81"]),
    "detail_too_thin": (
        lambda: decide([Item("Watch", 1, 1_000_000, detail="腕時計")]),
        "error",
        ["'腕時計'"],
        ["腕時計"],
    ),
    "serial_required": (
        lambda: decide([Item("Watch", 1, 1_000_000, detail="SEIKO SBGA211 チタン", serial_expected=True)]),
        "error",
        [],
        [],
    ),
    "serial_invalid": (lambda: decide([Item("Watch", 1, 10_000, serial="AB-12")]), "error", [], []),
    "serial_looks_like_lot": (lambda: decide([Item("Watch", 1, 10_000, serial="LOT123")]), "error", [], []),
    "liquor_category_unknown": (
        lambda: decide([Item("Mead", 1, 10_000, liquor=Liquor("mead", 10, 700))]),
        "error",
        ["'mead'"],
        ["mead"],
    ),
    "liquor_values_invalid": (
        lambda: decide([Item("Sake", 1, 10_000, liquor=Liquor("sake", 0, 700))]),
        "error",
        [],
        [],
    ),
    "liquor_not_standard_rate": (
        lambda: decide([Item("Sake", 1, 10_000, tax_rate="reduced", liquor=Liquor("sake", 15, 720))]),
        "error",
        [],
        [],
    ),
    "liquor_price_below_tax": (
        lambda: decide([BAG, Item("Beer", 1, 10, liquor=Liquor("beer", 5, 350))], liquor_export=True),
        "error",
        ["¥54"],
        ["54"],
    ),
    "reduced_rate_item": (lambda: decide([Item("Cookies", 1, 10_000, tax_rate="reduced")]), "info", [], []),
}


def test_every_code_has_a_case():
    assert set(CASES) == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_reason_renders_with_its_parameters_in_both_languages(code):
    make, severity, english, japanese = CASES[code]
    found = [r for r in reasons(make()) if r.code == code]
    assert found, f"{code} not returned"
    reason = found[0]
    assert reason.severity == severity
    en, ja = reason.message("en"), reason.message("ja")
    assert en == render(code, "en", dict(reason.params)) and ja != en
    assert "{" not in en and "{" not in ja
    for word in english:
        assert word in en
    for word in japanese:
        assert word in ja


@pytest.mark.parametrize("packing", sorted(PACKING_MESSAGES))
def test_packing_messages_in_both_languages(packing):
    en, ja = PACKING_MESSAGES[packing]
    assert packing_message(packing, "en") == en and packing_message(packing, "ja") == ja
    assert packing_message(packing, "ja-JP") == ja and packing_message(packing, "zh-hans") == en


def test_a_refusal_names_the_status_by_its_label_not_its_code():
    [reason] = [r for r in reasons(decide(status_of_residence="dependent")) if r.code == "status_not_eligible"]
    assert "「家族滞在」" in reason.message("ja") and "dependent" not in reason.message("ja")
    assert "'dependent'" in reason.message("en")
