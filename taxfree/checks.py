"""Start-up checks: the keys that protect passports and private keys must be usable."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def field_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        errors.append(Error("FIELD_ENCRYPTION_KEYS is empty.", hint=_HINT, id="taxfree.E001"))
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS: key {number} is not a Fernet key (32 url-safe base64 bytes).",
                    hint=_HINT,
                    id="taxfree.E001",
                )
            )
    if len(settings.FIELD_HASH_KEY or "") < 16:
        errors.append(Error("FIELD_HASH_KEY must be at least 16 characters.", id="taxfree.E002"))
    return errors


_HINT = 'Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
