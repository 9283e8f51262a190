"""Start-up checks: the keys that protect passports and private keys must be usable; and what
`manage.py check --deploy` refuses in production besides Django's own deployment checks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.checks import Warning as CheckWarning

from .devkeys import is_public


@register(Tags.security)
def field_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
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


@register(Tags.security, deploy=True)
def production_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The development keys are public (derived from a secret in the repository): whoever has them
    reads every passport number and forges sessions. Each key does one job, so that a leaked or
    rotated one does not take the others with it."""
    errors: list[CheckMessage] = []
    if is_public(settings.SECRET_KEY):
        errors.append(
            Error("SECRET_KEY is the repository's public development secret.", hint=_SECRET, id="taxfree.E003")
        )
    public = [n for n, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1) if is_public(key)]
    if public:
        text = (
            f"FIELD_ENCRYPTION_KEYS: key {', '.join(map(str, public))} is derived from the public development secret."
        )
        errors.append(Error(text, hint=_HINT, id="taxfree.E004"))
    if is_public(settings.FIELD_HASH_KEY or ""):
        errors.append(
            Error("FIELD_HASH_KEY is derived from the public development secret.", hint=_SECRET, id="taxfree.E004")
        )
    if settings.FIELD_HASH_KEY in (*settings.FIELD_ENCRYPTION_KEYS, settings.SECRET_KEY):
        errors.append(
            Error(
                "FIELD_HASH_KEY is also an encryption key or the SECRET_KEY: give it a key of its own.",
                hint=_SECRET,
                id="taxfree.E005",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def production_exposure(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Who may reach the site, what guards an officer's login, and how records travel to the NTA."""
    found: list[CheckMessage] = []
    if "*" in settings.ALLOWED_HOSTS:
        found.append(
            Error(
                "ALLOWED_HOSTS accepts any host ('*').",
                hint="List the shop's own host names, e.g. ALLOWED_HOSTS=office.example.jp.",
                id="taxfree.E006",
            )
        )
    if urlsplit(settings.NTA_API_URL).scheme.lower() != "https":
        found.append(
            Error(
                f"NTA_API_URL {settings.NTA_API_URL} is not HTTPS: passport numbers would travel in clear.",
                hint="Use the https:// address the NTA gives; the client refuses any other outside DEBUG.",
                id="taxfree.E007",
            )
        )
    if not settings.OTP_REQUIRED:
        found.append(
            CheckWarning(
                "OTP_REQUIRED is off: compliance officers and superusers log in with a password alone.",
                hint="Remove OTP_REQUIRED=false from the production settings.",
                id="taxfree.W001",
            )
        )
    return found


_HINT = 'Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
_SECRET = 'Make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
