"""Customs confirmations (税関確認情報): pulled from the NTA, stored as received, and the refund
-method records' customs state that follows from them (docs/rules.md §4)."""
