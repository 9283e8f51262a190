"""The traveller's link: the sale's id and a MAC of it, so no login and nothing stored.

[design] 128 bits of HMAC-SHA256 under the link key (TRAVELLER_LINK_KEY, else SECRET_KEY) and a salt
of its own, written in lower-case base32 so that it survives being typed from paper. The link opens
that one sale's page and nothing else (docs/architecture.md, invariant 7)."""

from __future__ import annotations

import base64
import re

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "taxfree.traveller.link"
_TOKEN = re.compile(r"([1-9][0-9]{0,18})-([a-z2-7]{26})")


def _mac(sale_id: int) -> str:
    secret = settings.TRAVELLER_LINK_KEY or settings.SECRET_KEY
    digest = salted_hmac(SALT, str(sale_id), secret=secret, algorithm="sha256").digest()[:16]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def token(sale_id: int) -> str:
    return f"{sale_id}-{_mac(sale_id)}"


def parse(value: str) -> tuple[int, bool]:
    """The sale id a token names (0 when it names none) and whether its MAC is right. The MAC is
    compared in constant time, and the caller looks the sale up either way: how long a refusal
    takes tells nothing about which sales exist."""
    found = _TOKEN.fullmatch(value.strip().lower().replace(" ", ""))
    if found is None:
        return 0, False
    sale_id = int(found.group(1))
    return sale_id, constant_time_compare(found.group(2), _mac(sale_id))


def path(sale_id: int) -> str:
    return reverse("traveller:page", args=[token(sale_id)])


def url(sale_id: int) -> str:
    """Absolute, from SITE_URL: what the QR code, the receipt, the e-mails and the API carry."""
    site: str = settings.SITE_URL
    return site.rstrip("/") + path(sale_id)
