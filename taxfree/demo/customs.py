"""The demo's customs: the oldest refund-method sale passes customs once its record is accepted."""

from __future__ import annotations

import requests
from django.conf import settings

from transmission.customs.pull import confirmations_pull
from transmission.models import PurchaseRecord


class NotYet(Exception):
    pass


def demo_customs_pass() -> str:
    records = PurchaseRecord.objects.filter(kind="sale", customs_state__in=["awaiting", "confirmed"]).order_by(
        "sale_date", "pk"
    )
    oldest = records.first()
    if oldest is None:
        return "no refund-method sale in the demo data"
    if not oldest.transmission_number or not oldest.accepted:
        raise NotYet("the demo's records are not accepted by the NTA sandbox yet")
    body = {"transmission_number": oldest.transmission_number, "kind": 1}
    try:
        answer = requests.post(f"{settings.NTA_SANDBOX_CONTROL_URL}/sandbox/customs", json=body, timeout=10)
    except requests.RequestException as exc:
        raise NotYet(f"the NTA sandbox does not answer: {exc}") from exc
    if answer.status_code not in (201, 409):  # 409: confirmed by an earlier run
        raise NotYet(answer.text)
    summary = confirmations_pull()
    return f"customs confirmed sale #{oldest.sale_id}; pull: " + "; ".join(summary.lines())
