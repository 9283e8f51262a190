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
