"""The compliance officer's files: the inspector's file of a period's records (their whole life, as
a ZIP of CSV and a PDF summary, streamed, the same bytes for the same data) and a customer's
personal data on request (APPI). Officers only (docs/rules.md §10, §11)."""
