from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from taxfree import roles

from .factories import DocumentFactory, StoreFactory, UserFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def at(day: date, hour: int = 14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO)


@pytest.fixture
def store(db):
    return StoreFactory()


@pytest.fixture
def other_store(db):
    return StoreFactory()


@pytest.fixture
def officer(db):
    return UserFactory(role=roles.COMPLIANCE_OFFICER)


@pytest.fixture
def accountant(db):
    return UserFactory(role=roles.ACCOUNTANT)


@pytest.fixture
def clerk(store):
    user = UserFactory(role=roles.STORE_STAFF)
    store.staff.add(user)
    return user


@pytest.fixture
def document(store):
    return DocumentFactory(customer__store=store)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
