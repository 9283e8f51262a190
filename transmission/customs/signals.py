"""What the customs side tells the layers above it, inside the transaction of the change: the sales
side listens (to tell travellers) without transmission importing it (docs/architecture.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `moves`: a list of (record id, new customs state) for the records that moved.
customs_moved = Signal()
