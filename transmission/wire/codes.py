"""Code lists of the purchase record [design where marked]: public integrations show them (see
docs/rules.md §5); the official tables are in the NTA's API specification."""

from __future__ import annotations

# docType: 1 旅券, 2/3 船舶観光上陸許可書, 4 乗員上陸許可書, 5 緊急上陸許可書, 6 遭難による上陸許可書.
# [design] the Visit Japan Web QR code carries the passport, and transit and port-of-call
# permits are stickers in the passport: all three are sent as the passport.
DOC_TYPES = {
    "passport": "1",
    "vjw_qr": "1",
    "landing_permit_transit": "1",
    "landing_permit_port_of_call": "1",
    "landing_permit_cruise": "3",
    "landing_permit_crew": "4",
    "landing_permit_emergency": "5",
    "landing_permit_distress": "6",
}
PASSPORT_DOC_TYPES = {"1", "2"}

# status (在留資格): 11 短期滞在, 14 外交, 17 公用, 91 上陸許可書による入国, 95 非居住者に該当する
# 日本国籍の者, 96 米軍構成員, 99 その他.
STATUSES = {"temporary_visitor": "11", "diplomat": "14", "official": "17", "sofa": "96"}
STATUS_LANDING_PERMIT, STATUS_JAPANESE, STATUS_OTHER = "91", "95", "99"

# 酒税品目 codes [design for the mapping of our categories]: 350 ビール, 581 発泡酒, 583 その他の
# 発泡性酒類 (former third beer), 110 清酒, 410 果実酒, 710 リキュール (chuhai-type and liqueurs),
# 610 スピリッツ (distilled spirits).
LIQUOR_CODES = {
    "beer": "350",
    "happoshu": "581",
    "new_genre": "583",
    "sake": "110",
    "wine": "410",
    "chuhai": "710",
    "spirits": "610",
    "liqueur": "710",
}

GOODS_TYPES = {"general": "1", "consumable": "2"}  # legacy regime only
