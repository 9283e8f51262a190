from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from taxfree import roles
from tests.factories import DocumentFactory, StoreFactory, UserFactory
from tests.mailserver import smtp  # noqa: F401 - fixtures for every package's tests
from tests.payouts import payments_server, stripe_sandbox  # noqa: F401
from tests.sandbox import certified, nta, sandbox  # noqa: F401


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
def _fresh_cache():
    """Throttling counts requests in the cache: every test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Property tests run the same examples on every machine: a failure in CI reproduces here.
hypothesis_settings.register_profile("taxfree", derandomize=True, deadline=None)
hypothesis_settings.load_profile("taxfree")
