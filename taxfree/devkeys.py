"""The development keys. They are derived from a secret published in this repository: anyone can
compute them, so the deployment check refuses them (taxfree/checks.py)."""

from __future__ import annotations

import base64
import hashlib

DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"
DEV_PREFIX = "dev-only-insecure"


def dev_fernet_key(label: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"{DEV_SECRET}:{label}".encode()).digest()).decode()


def is_public(value: str) -> bool:
    """The development secret, or a key derived from it."""
    return value.startswith(DEV_PREFIX) or value in (dev_fernet_key("fields"), dev_fernet_key("hash"))
