"""Who may buy tax-free (docs/rules.md §1)."""

from __future__ import annotations

from datetime import date

from taxfree.dates import add_months

from .dated import Regime
from .types import Buyer, Reason

LANDING_PERMITS = frozenset(
    {
        "landing_permit_cruise",
        "landing_permit_crew",
        "landing_permit_emergency",
        "landing_permit_distress",
        "landing_permit_transit",
        "landing_permit_port_of_call",
    }
)
# docs/rules.md §1 [vendor]: these permits must be shown with the passport under the refund method.
PERMITS_NEEDING_PASSPORT = frozenset(
    {
        "landing_permit_cruise",
        "landing_permit_crew",
        "landing_permit_emergency",
        "landing_permit_distress",
    }
)
# Since the 2023 reform only these statuses qualify; an older FAQ (any status within
# six months) no longer applies. 外交・公用 have no six-month limit.
STATUSES_WITH_SIX_MONTH_LIMIT = frozenset({"temporary_visitor"})
STATUSES_WITHOUT_LIMIT = frozenset({"diplomat", "official", "sofa"})


def passport_shown(document_type: str | None, passport_number: str = "", shown: bool = False) -> bool:
    """The passport counts as shown when it is the document itself, or when a landing permit comes
    with it: declared at the till, or recorded with the passport's number (docs/rules.md §1)."""
    return shown or bool(passport_number) or document_type == "passport"


def within_six_months(landing: date, sale_date: date) -> bool:
    """ "Less than six months" since landing: the day six months on is already too late."""
    return sale_date < add_months(landing, 6)


def check_buyer(buyer: Buyer, sale_date: date, regime: Regime) -> list[Reason]:
    if not buyer.document_type:
        return [Reason("no_identity_document")]
    reasons: list[Reason] = []
    if buyer.document_expiry and buyer.document_expiry < sale_date:
        reasons.append(Reason("document_expired", params=(("expiry", buyer.document_expiry),)))
    if buyer.works_in_japan:
        reasons.append(Reason("works_in_japan"))
    if buyer.nationality == "JPN":
        return reasons + _japanese(buyer, sale_date, regime)
    return reasons + _foreigner(buyer, sale_date, regime)


def _landing(buyer: Buyer, sale_date: date, limited: bool = True) -> list[Reason]:
    if buyer.landing_date is None:
        return [Reason("landing_date_missing")]
    landed = (("landing_date", buyer.landing_date),)
    if buyer.landing_date > sale_date:
        return [Reason("landing_date_in_future", params=landed)]
    if limited and not within_six_months(buyer.landing_date, sale_date):
        last = add_months(buyer.landing_date, 6).toordinal() - 1
        return [Reason("stay_six_months_or_more", params=landed + (("limit", date.fromordinal(last)),))]
    return []


def _foreigner(buyer: Buyer, sale_date: date, regime: Regime) -> list[Reason]:
    if buyer.document_type in LANDING_PERMITS:
        reasons = _landing(buyer, sale_date)
        needs_passport = regime.name == "refund" and buyer.document_type in PERMITS_NEEDING_PASSPORT
        if needs_passport and not buyer.passport_shown:
            reasons.append(Reason("passport_required_with_permit"))
        return reasons
    status = buyer.status_of_residence
    if not status:
        return [Reason("status_missing")]
    if status not in STATUSES_WITH_SIX_MONTH_LIMIT | STATUSES_WITHOUT_LIMIT:
        return [Reason("status_not_eligible", params=(("status", status),))]
    # docs/rules.md §1: without the landing stamp the date and status cannot be checked; the VJW QR
    # code carries both instead.
    if buyer.document_type == "passport" and not buyer.has_landing_stamp and status != "sofa":
        return [Reason("no_landing_stamp")]
    if status == "sofa":
        return []
    return _landing(buyer, sale_date, limited=status in STATUSES_WITH_SIX_MONTH_LIMIT)


def _japanese(buyer: Buyer, sale_date: date, regime: Regime) -> list[Reason]:
    if buyer.document_type != "passport":
        return [Reason("document_not_for_japanese")]
    reasons: list[Reason] = []
    if not buyer.has_landing_stamp:
        reasons.append(Reason("japanese_return_stamp_missing"))
    reasons += _landing(buyer, sale_date)
    accepted = ", ".join(sorted(regime.proof_documents))
    if not buyer.proof_document:
        reasons.append(Reason("japanese_proof_missing", params=(("accepted", accepted),)))
    elif buyer.proof_document not in regime.proof_documents:
        reasons.append(Reason("japanese_proof_not_accepted", params=(("proof", buyer.proof_document),)))
    if buyer.moved_abroad_date is None:
        reasons.append(Reason("japanese_moved_abroad_date_missing"))
    elif add_months(buyer.moved_abroad_date, 24) > sale_date:
        moved = (("moved", buyer.moved_abroad_date),)
        reasons.append(Reason("japanese_abroad_less_than_two_years", params=moved))
    return reasons
