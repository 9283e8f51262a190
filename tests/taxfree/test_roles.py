"""The roles and their permissions."""

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


def test_every_model_of_the_apps_has_its_view_permission_in_the_officer_and_accountant_roles():
    from django.apps import apps
    from django.contrib.auth.models import Group

    for role in (roles.COMPLIANCE_OFFICER, roles.ACCOUNTANT):
        granted = set(Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename"))
        for label in ("stores", "sales", "transmission", "taxfree"):
            for model in apps.get_app_config(label).get_models():
                assert (label, f"view_{model._meta.model_name}") in granted, (role, label, model)


def test_a_token_brings_its_users_roles_without_a_query_of_their_own():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory

    from taxfree.tokens import TokenAuthentication
    from tests.factories import UserFactory, api_token

    both = UserFactory(role=roles.STORE_STAFF)
    both.groups.add(Group.objects.get(name=roles.ACCOUNTANT), Group.objects.create(name="Night shift, Ginza"))
    nobody = UserFactory()
    for user, expected in ((both, {roles.STORE_STAFF, roles.ACCOUNTANT, "Night shift, Ginza"}), (nobody, set())):
        request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        found, _token = TokenAuthentication().authenticate(request)
        with CaptureQueriesContext(connection) as queries:
            assert (roles.sees_all_stores(found), roles.can_sell(found)) == (user is both, user is both)
        assert found._role_cache == expected and not queries.captured_queries
