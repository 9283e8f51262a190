"""Stores, validators, encryption at rest, roles and the demo data."""


import pytest
from django.contrib.auth.models import Group

from taxfree import roles

pytestmark = pytest.mark.django_db


def test_the_roles_exist_with_their_permissions():
    perms = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert set(perms) == set(roles.ROLES)
    assert all(p.startswith("view_") for p in perms[roles.ACCOUNTANT])
    assert "delete_sale" not in set().union(*perms.values())
    assert {"add_sale", "view_sale"} <= perms[roles.STORE_STAFF] and "change_sale" not in perms[roles.STORE_STAFF]

