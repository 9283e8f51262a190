"""Accountants' exports: the tax-free sales ledger, the consumption-tax return summary and the
refunds ledger, as CSV (UTF-8 with BOM, or Shift_JIS/cp932) or XLSX, streamed."""
