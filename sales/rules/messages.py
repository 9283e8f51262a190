"""Every reason and issue code the engine can return, with its message in English and Japanese.

Codes are a stable contract (API clients match on them); messages may be reworded.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # buyer
    "no_identity_document": (
        "No identity document was shown: a tax-free sale is not possible.",
        "本人確認書類の提示がないため免税販売できません。",
    ),
    "document_expired": (
        "The identity document expired on {expiry}.",
        "本人確認書類の有効期限({expiry})が切れています。",
    ),
    "works_in_japan": (
        "The customer works at an office in Japan and is therefore a resident.",
        "日本国内の事務所に勤務しているため居住者に該当し、免税販売できません。",
    ),
    "status_not_eligible": (
        "The status of residence '{status}' does not qualify for tax-free purchases.",
        "在留資格「{status}」は免税購入の対象外です。",
    ),
    "status_missing": (
        "The status of residence is required for a foreign national.",
        "外国人の場合は在留資格の入力が必要です。",
    ),
    "no_landing_stamp": (
        "The passport has no landing stamp (automated gate or re-entry): ask for the stamp to be "
        "added or for the Visit Japan Web tax-free QR code.",
        "上陸許可証印がありません(自動化ゲート・再入国)。証印を受けるか、Visit Japan Web の免税QRコードの提示が必要です。",
    ),
    "landing_date_missing": (
        "The landing date is required.",
        "上陸(入国)年月日の入力が必要です。",
    ),
    "landing_date_in_future": (
        "The landing date {landing_date} is after the date of sale.",
        "上陸年月日({landing_date})が販売日より後になっています。",
    ),
    "stay_six_months_or_more": (
        "The customer landed on {landing_date}: six months or more have passed ({limit} was the last eligible day).",
        "上陸年月日が{landing_date}で、6か月以上経過しています(最終日は{limit})。",
    ),
    "passport_required_with_permit": (
        "Under the refund method this landing permit must be shown together with the passport, "
        "and the passport number recorded.",
        "リファンド方式では、この上陸許可書とあわせて旅券を提示し、旅券番号を記録する必要があります。",
    ),
    "japanese_proof_missing": (
        "A Japanese national living abroad must show a proof document ({accepted}).",
        "国外居住の日本人は、居住を証する書類({accepted})の提示が必要です。",
    ),
    "japanese_proof_not_accepted": (
        "The proof document '{proof}' is not accepted on this date.",
        "書類「{proof}」はこの販売日には認められていません。",
    ),
    "japanese_moved_abroad_date_missing": (
        "The date of moving abroad (国外転出日) is required.",
        "国外転出日の入力が必要です。",
    ),
    "japanese_abroad_less_than_two_years": (
        "The customer moved abroad on {moved}: less than two years before the sale.",
        "国外転出日が{moved}で、2年以上の国外居住に該当しません。",
    ),
    "japanese_return_stamp_missing": (
        "A Japanese national needs the return stamp (帰国印) in the passport.",
        "日本人の場合は旅券の帰国印が必要です。",
    ),
    "document_not_for_japanese": (
        "A Japanese national must show the passport.",
        "日本人の場合は旅券の提示が必要です。",
    ),
    # amounts
    "total_below_minimum": (
        "The tax-exclusive total is ¥{total:,}, below the ¥{minimum:,} minimum.",
        "総合計(税抜)が{total:,}円で、{minimum:,}円未満のため免税販売できません。",
    ),
    "consumables_over_cap": (
        "Consumables total ¥{total:,} tax-exclusive, above the ¥{cap:,} limit.",
        "消耗品の合計(税抜)が{total:,}円で、上限{cap:,}円を超えています。",
    ),
    "combined_over_cap": (
        "General goods and consumables can only be combined up to ¥{cap:,}; together they are ¥{total:,}.",
        "一般物品と消耗品の合算は{cap:,}円までです(合計{total:,}円)。",
    ),
    "consumables_below_minimum_alone": (
        "Consumables of ¥{total:,} are below ¥{minimum:,} and cannot be combined here: remove "
        "them from the tax-free sale.",
        "消耗品が{total:,}円で{minimum:,}円未満のため、合算できない場合は免税対象から外してください。",
    ),
    "general_below_minimum_alone": (
        "General goods of ¥{total:,} are below ¥{minimum:,} and cannot be combined here: remove "
        "them from the tax-free sale.",
        "一般物品が{total:,}円で{minimum:,}円未満のため、合算できない場合は免税対象から外してください。",
    ),
    "item_issues": (
        "Some items must be corrected before the sale can be finished.",
        "修正が必要な商品があります。",
    ),
    "no_items": ("The sale has no items.", "商品がありません。"),
    "passport_copy_required": (
        "The total exceeds ¥1,000,000: keep a copy of the passport.",
        "合計販売額が100万円を超えるため、旅券の写しを保存してください。",
    ),
    # items
    "item_excluded": (
        "This item cannot be sold tax-free (excluded goods): remove it from the tax-free sale.",
        "免税対象外の物品です。免税販売から外してください。",
    ),
    "quantity_not_positive": ("The quantity must be at least 1.", "数量は1以上にしてください。"),
    "price_negative": ("The unit price cannot be negative.", "単価が負の値です。"),
    "detail_required": (
        "Unit price ¥{unit_price:,} (tax-exclusive) is ¥1,000,000 or more: 商品情報詳細 is required.",
        "税抜単価が100万円以上のため、商品情報詳細の設定が必要です。",
    ),
    "detail_too_long": (
        "商品情報詳細 has {length} characters; at most 80.",
        "商品情報詳細が{length}文字です(全角80文字以内)。",
    ),
    "detail_too_thin": (
        "商品情報詳細 '{detail}' does not identify the item: combine the specific name, brand, "
        "model number, features (colour, material, size) or certificate.",
        "商品情報詳細「{detail}」では物品を特定できません。具体的な名称・ブランド名・型番・形状や色彩等・鑑定書等を組み合わせてください。",
    ),
    "serial_required": (
        "This item carries a serial number: シリアルナンバー is required.",
        "シリアル番号が付された物品のため、シリアルナンバーの設定が必要です。",
    ),
    "serial_invalid": (
        "シリアルナンバー must be at most 20 half-width letters and digits.",
        "シリアルナンバーは半角英数字20文字以内です。",
    ),
    "serial_looks_like_lot": (
        "A lot number is not a serial number: put it in the item name or 商品情報詳細.",
        "ロット番号はシリアル番号に該当しません。品名欄または商品情報詳細に設定してください。",
    ),
    "liquor_category_unknown": (
        "Unknown liquor category '{category}'.",
        "酒類の品目分類「{category}」が不明です。",
    ),
    "liquor_values_invalid": (
        "Alcohol % must be 1–100 and the container volume positive.",
        "アルコール分は1〜100、容器容量は正の値にしてください。",
    ),
    "liquor_not_standard_rate": (
        "Liquor is taxed at the standard rate.",
        "酒類は標準税率です。",
    ),
    "liquor_price_below_tax": (
        "The price including liquor tax is below the liquor tax of ¥{liquor_tax:,}.",
        "酒税込単価が酒税額({liquor_tax:,}円)を下回っています。",
    ),
    "reduced_rate_item": (
        "Reduced-rate item (8 %): marked ※ on printed documents.",
        "軽減税率対象品(※)です。",
    ),
}

PACKING_MESSAGES: dict[str, tuple[str, str]] = {
    # docs/rules.md §2: the five packing messages shown before registering a sale.
    "not_eligible": (
        "The total is below ¥5,000: not eligible for tax-free sale.",
        "総合計が5,000円未満のため免税販売不可",
    ),
    "combined_as_consumables": (
        "Combined to ¥5,000 or more: pack general goods and consumables together as consumables.",
        "合算して5,000円以上のため、一般品・消耗品は一緒に消耗品扱いにて梱包してください。",
    ),
    "separate": (
        "General goods and consumables may be packed separately.",
        "一般品・消耗品 別梱包OK",
    ),
    "all_consumables": ("Pack everything as consumables.", "全品 消耗品扱いにて梱包"),
    "all_general": ("Pack everything as general goods.", "全品 一般品扱いにて梱包"),
}


# Statuses of residence as a message names them (the codes stay in the reason's params).
STATUSES: dict[str, tuple[str, str]] = {
    "temporary_visitor": ("temporary visitor", "短期滞在"),
    "diplomat": ("diplomat", "外交"),
    "official": ("official", "公用"),
    "sofa": ("US forces member (SOFA)", "日米地位協定該当者"),
    "student": ("student", "留学"),
    "worker": ("worker", "就労"),
    "dependent": ("dependent", "家族滞在"),
    "other": ("other", "その他"),
}


def render(code: str, language: str, params: dict[str, Any]) -> str:
    en, ja = MESSAGES[code]
    japanese = language.startswith("ja")
    template = ja if japanese else en
    if "status" in params and params["status"] in STATUSES:
        params = {**params, "status": STATUSES[params["status"]][1 if japanese else 0]}
    return template.format(**params)


def packing_message(packing: str, language: str) -> str:
    en, ja = PACKING_MESSAGES[packing]
    return ja if language.startswith("ja") else en
