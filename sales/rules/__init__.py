"""The tax-free rules: pure functions over plain, dated data (no Django, no ORM)."""

from .buyer import passport_shown
from .dated import regime_on
from .engine import evaluate
from .messages import MESSAGES, PACKING_MESSAGES, packing_message
from .refund import Payback, confirmation_deadline, refund_of_remainder, return_payback
from .types import Buyer, Decision, Earlier, Item, Liquor, Reason, SaleInput

__all__ = [
    "MESSAGES",
    "PACKING_MESSAGES",
    "Buyer",
    "Decision",
    "Earlier",
    "Item",
    "Payback",
    "Liquor",
    "Reason",
    "SaleInput",
    "confirmation_deadline",
    "evaluate",
    "packing_message",
    "passport_shown",
    "refund_of_remainder",
    "regime_on",
    "return_payback",
]
