"""High-value details: 商品情報詳細 and シリアルナンバー (docs/rules.md §2)."""

from datetime import date

import pytest

from sales.rules import Buyer, Item, SaleInput, evaluate

DAY = date(2026, 11, 21)


BUYER = Buyer("passport", "USA", "temporary_visitor", date(2026, 11, 20), True)


def issues(item: Item, liquor_export_store=False) -> list[tuple[str, str]]:
    d = evaluate(SaleInput(DAY, BUYER, (item,), liquor_export_store=liquor_export_store))
    return [(i.code, i.severity) for i in d.items[0].issues]


def watch(**kw) -> Item:
    return Item("腕時計", 1, 1_000_000, **kw)


# docs/rules.md §2, examples that identify: each identifies the item.
@pytest.mark.parametrize(
    "detail, serial",
    [
        ("ブランド名○○、型番AA12345 、黒色系", "X9999999"),
        ("ダイヤの指輪、ブランド名○○、モデル名○○、24K 、鑑定書あり", ""),
        ("毛皮のコート、ブランド名○○、灰色系", "AAA000"),
        ("ブランド名○○、モデル名○○、赤色系、牛革、シリアル番号は背面側の内ポケット", "123456789"),
        ("○○焼、○○太郎作、15cm程度、青色系、鑑定書あり", ""),
        ("エメラルド原石、緑色、3cm 程度 、鑑別書あり", ""),
    ],
)
def test_seed_003_good_examples_pass(detail, serial):
    assert issues(watch(detail=detail, serial=serial, serial_expected=bool(serial))) == []


# docs/rules.md §2, too thin: only a category word, only a brand, only a colour.
@pytest.mark.parametrize("detail", ["楽器", "ブランド名△△△", "黒色"])
def test_seed_003_thin_details_block_a_high_value_item(detail):
    assert issues(watch(detail=detail)) == [("detail_too_thin", "error")]


def test_thin_details_below_one_million_only_warn():
    assert issues(Item("楽器", 1, 999_999, detail="楽器")) == [("detail_too_thin", "warning")]


def test_a_high_value_item_needs_its_detail():
    assert issues(watch()) == [("detail_required", "error")]
    assert issues(Item("ring", 1, 999_999)) == []


def test_the_threshold_is_the_tax_exclusive_unit_price():
    # ¥1,099,998 tax-inclusive is ¥999,999 before tax; ¥1,099,999 is ¥1,000,000.
    assert issues(Item("ring", 1, 1_099_998, price_includes_tax=True)) == []
    assert issues(Item("ring", 1, 1_099_999, price_includes_tax=True)) == [("detail_required", "error")]


def test_set_in_the_name_field_is_accepted():
    assert issues(watch(detail="品名欄に設定済み")) == []


def test_the_detail_is_at_most_80_characters():
    assert issues(watch(detail="ダイヤの指輪、" + "あ" * 73)) == []
    assert issues(watch(detail="ダイヤの指輪、" + "あ" * 74)) == [("detail_too_long", "error")]


def test_a_serial_is_required_when_the_item_carries_one():
    assert issues(watch(detail="ブランドA、型番B1", serial_expected=True)) == [("serial_required", "error")]


@pytest.mark.parametrize(
    "serial, code",
    [
        ("A" * 21, "serial_invalid"),
        ("ＡＢ１２", "serial_invalid"),
        ("AB-12", "serial_invalid"),
        ("LOT2024A", "serial_looks_like_lot"),
    ],
)
def test_serials_are_at_most_20_half_width_alphanumerics(serial, code):
    assert issues(watch(detail="ブランドA、型番B1", serial=serial)) == [(code, "error")]


@pytest.mark.parametrize("detail", ["楽器 バッグ", "Watch Bag", "黒 白", "腕時計 黒", "instrument art"])
def test_only_category_words_and_colours_are_thin(detail):
    from sales.rules.highvalue import is_thin

    assert is_thin(detail)
    assert not is_thin(detail + " SBGA211")
