"""Refunds under the refund method: paid once a customs confirmation made the refund due
(docs/rules.md §4); the queue and the liability the office works from."""
