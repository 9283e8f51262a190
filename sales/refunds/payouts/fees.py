"""What a payout route costs and who bears it (PAYOUT_FEES, PAYOUT_FEE_BORNE_BY): small refunds are
where a fee hurts, so the traveller sees it and what reaches them before choosing."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Fee:
    fee: int
    borne_by: str  # "shop" or "customer"
    reaches: int  # what reaches the traveller

    @property
    def eats_the_refund(self) -> bool:
        return self.reaches <= 0


def fee_for(method: str, due: int) -> Fee:
    fee = int(settings.PAYOUT_FEES.get(method, 0))
    borne_by = settings.PAYOUT_FEE_BORNE_BY
    return Fee(fee, borne_by, due - fee if borne_by == "customer" else due)
