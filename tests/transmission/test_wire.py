"""The wire modules: the request of each API version, and pre-flight refusals."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from transmission.wire import Preflight, build, version_for
from transmission.wire.charset import refused_characters, to_full_width_kana

SENDER = "123456789012345678901"
PAYLOAD = {
    "version": 2,
    "kind": "sale",
    "regime": "refund",
    "cancels_sale": None,
    "full_cancellation": False,
    "sold_at": "2026-11-21T14:00:00+09:00",
    "sale_date": "2026-11-21",
    "liquor_export_store": False,
    "store": {
        "identifier": SENDER,
        "name": "銀座店",
        "address": "東京都中央区銀座1-1",
        "manager": "Manager",
        "tax_payment_place": "東京都千代田区1-1",
        "business": "株式会社サンプル",
    },
    "temporary_site": None,
    "buyer": {
        "document_type": "passport",
        "document_id": 1,
        "document_number": "TK1234567",
        "passport_number": "",
        "family_name": "Sample",
        "given_names": "Alex Jo",
        "nationality": "USA",
        "birth_date": "1990-02-03",
        "sex": "F",
        "status_of_residence": "temporary_visitor",
        "landing_date": "2026-11-15",
        "proof_document": "",
        "moved_abroad_date": None,
    },
    "items": [
        {
            "line": 1,
            "name": "ｷﾓﾉ 着物",
            "jan_code": "",
            "quantity": 2,
            "unit_price_excl_tax": 30_000,
            "amount_excl_tax": 60_000,
            "rate_percent": 10,
            "reduced": False,
            "category": "general",
            "detail": "",
            "serial": "",
            "liquor": None,
        },
        {
            "line": 2,
            "name": "Whisky",
            "jan_code": "4900000000023",
            "quantity": 1,
            "unit_price_excl_tax": 20_000,
            "amount_excl_tax": 20_000,
            "rate_percent": 10,
            "reduced": False,
            "category": "consumable",
            "detail": "",
            "serial": "",
            "liquor": {
                "category": "spirits",
                "alcohol_percent": "43.0",
                "volume_ml": 700,
                "liquor_tax_per_unit": 301,
                "yen_per_kl": 430_000,
            },
        },
    ],
    "totals": {"excl_tax": 80_000, "tax": 8_000, "refund": 8_000},
}


def payload(**changes) -> dict:
    data = copy.deepcopy(PAYLOAD)
    for key, value in changes.items():
        target, _, leaf = key.rpartition("__")
        node = data
        for part in filter(None, target.split("__")):
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value
    return data


def wire(data=None, **kwargs):
    return build(data or payload(), sender_id=SENDER, send_no="20261121140000001", decrypt=str, **kwargs)


def test_the_version_follows_the_date_of_sale():
    assert (version_for(date(2026, 10, 31)), version_for(date(2026, 11, 1))) == ("2", "3")
    with pytest.raises(LookupError):
        version_for(date(2019, 9, 30))


def test_the_refund_method_api_sends_every_value_as_a_string():
    record = wire()
    body = record.body
    assert record.path == "/v3/purchaseRecord/reception" and body["version"] == "3" and body["crudType"] == "1"
    assert (body["name"], body["nation"], body["birth"], body["status"], body["docType"]) == (
        "SAMPLE ALEX JO",
        "USA",
        "19900203",
        "11",
        "1",
    )
    assert body["details"][0]["number"] == "2" and body["details"][0]["price"] == "60000"
    assert body["details"][1]["lqCode"] == "610" and body["details"][1]["lqIndividual"] == "1"
    assert all(isinstance(v, str) for d in body["details"] for v in d.values())


def test_half_width_katakana_become_full_width():
    assert wire().body["details"][0]["goodsName"] == "キモノ 着物"
    assert to_full_width_kana("ｶﾞﾝﾀﾞﾑ") == "ガンダム"


def test_the_passport_number_is_masked_in_what_is_kept():
    record = wire()
    assert record.body["passportNo"] == "TK1234567" and record.masked()["passportNo"] == "•••••4567"


def test_the_legacy_api_sends_numbers_and_category_totals():
    body = wire(payload(sale_date="2026-10-30", regime="legacy")).body
    assert body["version"] == "2" and "crudType" not in body
    assert (body["generalTotal"], body["consumTotal"], body["lqTotalNum"]) == (60_000, 20_000, 1)
    assert [d["goodsType"] for d in body["details"]] == ["1", "2"]


def test_a_legacy_cancellation_negates_quantities_and_amounts():
    data = payload(sale_date="2026-10-30", kind="cancellation")
    body = wire(data, cancelled_send_no="20261030120000001").body
    assert [d["number"] for d in body["details"]] == [-2, -1] and body["generalTotal"] == -60_000
    assert "20261030120000001" in body["note"]


def test_a_refund_method_cancellation_points_at_the_record_it_cancels():
    whole = wire(payload(kind="cancellation", full_cancellation=True), cancelled_send_no="20261121120000001").body
    assert (whole["crudType"], whole["beforeSendNo"], whole["beforeShopId"], whole["details"]) == (
        "9",
        "20261121120000001",
        SENDER,
        [],
    )
    partial = wire(payload(kind="cancellation"), cancelled_send_no="20261121120000001").body
    assert partial["details"][0]["number"] == "2"  # amounts are not negated under v3


def test_a_landing_permit_carries_the_passport_number_too():
    body = wire(
        payload(
            buyer__document_type="landing_permit_crew",
            buyer__passport_number="TZ7654321",
            buyer__document_number="P12345",
        )
    ).body
    assert (body["docType"], body["status"], body["passportNo"], body["landingPermitNo"]) == (
        "4",
        "91",
        "TZ7654321",
        "P12345",
    )


@pytest.mark.parametrize(
    "changes, where, words",
    [
        ({"items__0__name": "商品" * 26}, "line 1 item name", "52 characters; at most 50"),
        ({"items__0__name": "Bag\x00"}, "line 1 item name", "U+0000"),
        ({"items__0__name": "Bag 😀"}, "line 1 item name", "GRINNING FACE"),
        ({"buyer__family_name": "山田"}, "customer name", "39 letters"),
        ({"buyer__family_name": "X" * 40}, "customer name", "39 letters"),
        ({"buyer__document_number": "TK12"}, "passport number", "7 to 11"),
        ({"store__identifier": "123"}, "store identifier", "21 digits"),
        ({"items__0__unit_price_excl_tax": 1_200_000}, "line 1 商品情報詳細", "¥1,000,000"),
        ({"items__0__serial": "AB-12"}, "line 1 serial number", "20 half-width"),
        ({"buyer__landing_date": None, "buyer__document_type": "library_card"}, "document type", "no NTA code"),
    ],
)
def test_pre_flight_names_every_problem(changes, where, words):
    with pytest.raises(Preflight) as refused:
        wire(payload(**changes))
    problems = {p.field: p.message for p in refused.value.problems}
    assert where in problems and words in problems[where]


def test_pre_flight_reports_all_problems_at_once():
    with pytest.raises(Preflight) as refused:
        wire(payload(items__0__name="x" * 60, buyer__nationality="usa"))
    assert {p.field for p in refused.value.problems} == {"line 1 item name", "nationality"}


def test_a_v3_cancellation_needs_the_number_of_the_record_it_cancels():
    with pytest.raises(Preflight):
        wire(payload(kind="cancellation"))


def test_control_characters_are_refused_but_tabs_in_multiline_text_are_not():
    assert refused_characters("a\tb") == ["\t"] and refused_characters("a\tb", multiline=True) == []
    assert refused_characters("\u202eevil") == ["\u202e"]


def test_names_are_written_as_in_the_passports_mrz():
    body = wire(payload(buyer__family_name="Núñez-O'Brien", buyer__given_names="José  M.")).body
    assert body["name"] == "NUNEZ OBRIEN JOSE M"
