"""Field encryption at rest (Fernet, rotatable) and a keyed blind index for look-ups."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from .text import document_number

# Encrypted values that are not EncryptedTextField columns (images, tokens inside JSON) are
# re-encrypted by functions their apps register here; `rotate_field_keys` runs them all.
ROTATIONS: dict[str, Callable[[], int]] = {}


def register_rotation(label: str, rotate_all: Callable[[], int]) -> None:
    ROTATIONS[label] = rotate_all


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """HMAC of a normalised value: equality search without storing the value in clear."""
    normalised = document_number(value)
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField[str, str]):
    """A text column holding a Fernet token; Python code sees the clear text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value in (None, ""):
            return value
        try:
            return decrypt(value)
        except InvalidToken as exc:
            raise ValueError(f"cannot decrypt {self.model.__name__}.{self.name}: unknown key") from exc

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(bytes(token))
