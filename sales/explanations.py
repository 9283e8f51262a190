"""What the customer is told before a tax-free sale, in their language (docs/rules.md §4).

Customer-facing text, so it lives here per language rather than in the staff UI's gettext
catalogue. Each regime has its own text; the refund method's deadline is computed per sale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sales.rules.dated import confirmation_deadline

DEFAULT_LANGUAGE_BY_NATIONALITY = {
    "JPN": "ja",
    "CHN": "zh-hans",
    "SGP": "zh-hans",
    "TWN": "zh-hant",
    "HKG": "zh-hant",
    "MAC": "zh-hant",
    "KOR": "ko",
    "THA": "th",
}

TITLES = {
    "ja": "免税購入についてのご案内",
    "en": "About your tax-free purchase",
    "zh-hans": "免税购物须知",
    "zh-hant": "免稅購物須知",
    "ko": "면세 구매 안내",
    "th": "ข้อมูลเกี่ยวกับการซื้อสินค้าปลอดภาษี",
}

ACKNOWLEDGE = {
    "ja": "内容を確認しました",
    "en": "I understand and agree",
    "zh-hans": "我已阅读并同意",
    "zh-hant": "我已閱讀並同意",
    "ko": "내용을 확인했습니다",
    "th": "ฉันเข้าใจและยอมรับ",
}

REFUND = {
    "ja": [
        "お支払いは消費税込みの金額です。消費税は、出国時に税関で持ち出しの確認を受けた後に返金されます。",
        "購入した物品は、出国時にご本人が携帯して持ち出してください(別送はできません)。",
        "税関の確認は購入日の翌日から90日以内({deadline}まで)に受けてください。期限を過ぎると返金されません。",
        "日本国内で消費・使用した物品は返金の対象になりません。",
        "確認を受けた物品を日本国内に残した場合は、消費税と罰則が課されることがあります。",
    ],
    "en": [
        "You pay the price including consumption tax. The tax is refunded after customs confirms at your departure that you take the goods out of Japan.",
        "Carry the goods with you when you leave Japan (they cannot be shipped separately).",
        "Have customs confirm the export within 90 days from the day after purchase (by {deadline}). After that date no refund is possible.",
        "Goods consumed or used in Japan are not refunded.",
        "If goods confirmed by customs stay in Japan, consumption tax and penalties may be charged.",
    ],
    "zh-hans": [
        "您支付的是含消费税的价格。出境时经海关确认携带出境后，将退还消费税。",
        "出境时请随身携带所购物品（不可另行邮寄）。",
        "请于购买日次日起90天内（{deadline}之前）接受海关确认，逾期将无法退税。",
        "在日本境内消费或使用的物品不予退税。",
        "经海关确认的物品如留在日本境内，可能会被征收消费税并受到处罚。",
    ],
    "zh-hant": [
        "您支付的是含消費稅的價格。出境時經海關確認攜帶出境後，將退還消費稅。",
        "出境時請隨身攜帶所購物品（不可另行寄送）。",
        "請於購買日次日起90天內（{deadline}之前）接受海關確認，逾期將無法退稅。",
        "在日本境內消費或使用的物品不予退稅。",
        "經海關確認的物品如留在日本境內，可能會被課徵消費稅並受到處罰。",
    ],
    "ko": [
        "소비세가 포함된 금액으로 결제합니다. 출국 시 세관에서 반출 확인을 받은 후 소비세가 환급됩니다.",
        "구입한 물품은 출국 시 본인이 직접 휴대하여 반출해 주십시오(별도 배송 불가).",
        "구입일 다음 날부터 90일 이내({deadline}까지)에 세관 확인을 받으십시오. 기한이 지나면 환급되지 않습니다.",
        "일본 국내에서 소비·사용한 물품은 환급 대상이 아닙니다.",
        "세관 확인을 받은 물품을 일본 국내에 남겨 두면 소비세와 벌칙이 부과될 수 있습니다.",
    ],
    "th": [
        "ท่านชำระราคาที่รวมภาษีการบริโภคแล้ว ภาษีจะได้รับคืนหลังจากศุลกากรยืนยันการนำสินค้าออกนอกประเทศเมื่อท่านเดินทางออก",
        "กรุณานำสินค้าติดตัวไปด้วยเมื่อเดินทางออกจากญี่ปุ่น (ไม่สามารถส่งแยกได้)",
        "กรุณารับการยืนยันจากศุลกากรภายใน 90 วันนับจากวันถัดจากวันที่ซื้อ (ภายในวันที่ {deadline}) หากเกินกำหนดจะไม่ได้รับเงินคืน",
        "สินค้าที่บริโภคหรือใช้ในญี่ปุ่นจะไม่ได้รับเงินคืน",
        "หากสินค้าที่ศุลกากรยืนยันแล้วยังคงอยู่ในญี่ปุ่น อาจถูกเรียกเก็บภาษีการบริโภคและค่าปรับ",
    ],
}

LEGACY = {
    "ja": [
        "購入した物品は、必ず出国時に国外へ持ち出してください。",
        "消耗品は包装を開けずに、購入日から30日以内に持ち出してください。",
        "携帯していない場合などは、出国時に消費税が課税されます。",
    ],
    "en": [
        "Take the goods out of Japan when you leave.",
        "Keep consumables in their sealed packaging and take them out within 30 days of purchase.",
        "If you do not carry the goods at departure, consumption tax will be charged then.",
    ],
    "zh-hans": [
        "出境时请务必将所购物品携带出境。",
        "消耗品请勿拆开包装，并于购买日起30天内携带出境。",
        "如出境时未随身携带，将被征收消费税。",
    ],
    "zh-hant": [
        "出境時請務必將所購物品攜帶出境。",
        "消耗品請勿拆開包裝，並於購買日起30天內攜帶出境。",
        "如出境時未隨身攜帶，將被課徵消費稅。",
    ],
    "ko": [
        "구입한 물품은 출국 시 반드시 국외로 반출해 주십시오.",
        "소모품은 포장을 뜯지 말고 구입일로부터 30일 이내에 반출해 주십시오.",
        "휴대하지 않은 경우 등에는 출국 시 소비세가 과세됩니다.",
    ],
    "th": [
        "กรุณานำสินค้าออกนอกประเทศญี่ปุ่นเมื่อเดินทางออก",
        "สินค้าสิ้นเปลืองต้องไม่เปิดบรรจุภัณฑ์และต้องนำออกภายใน 30 วันนับจากวันที่ซื้อ",
        "หากไม่ได้นำสินค้าติดตัวเมื่อเดินทางออก จะถูกเรียกเก็บภาษีการบริโภค",
    ],
}

LANGUAGES = tuple(TITLES)


def default_language(nationality: str) -> str:
    return DEFAULT_LANGUAGE_BY_NATIONALITY.get(nationality, "en")


def explanation(regime: str, language: str, purchase: date) -> dict[str, Any]:
    language = language if language in TITLES else "en"
    paragraphs = (REFUND if regime == "refund" else LEGACY)[language]
    last_day = confirmation_deadline(purchase)
    deadline = last_day.isoformat() if last_day else ""
    return {
        "language": language,
        "title": TITLES[language],
        "paragraphs": [p.format(deadline=deadline) for p in paragraphs],
        "acknowledge": ACKNOWLEDGE[language],
    }
