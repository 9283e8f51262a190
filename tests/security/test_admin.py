"""Admin actions by role: every action of every registered model (found in the admin's registry, so
a new one is covered by itself) is offered only to who holds its permission, and refused to others."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from stores.models import Reminder
from taxfree.models import ApiToken, AuditEvent
from tests.factories import UserFactory
from tests.office import one_of_each

pytestmark = pytest.mark.django_db
ACTIONS = [
    (model, name)
    for model, model_admin in admin.site._registry.items()
    for _function, name, _description in model_admin._get_base_actions()
]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def request_of(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def everyone(officer, clerk, accountant):
    return {
        "compliance officer": officer,
        "store staff": clerk,
        "accountant": accountant,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


@pytest.fixture
def office(officer, store):
    one_of_each(officer, store)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every model the admin shows."""
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in admin.site._registry}


def offered(user, model, name: str) -> bool:
    request = request_of(user)
    return admin.site.has_permission(request) and name in admin.site._registry[model].get_actions(request)


def test_every_action_asks_for_more_than_the_view_permission():
    for model, model_admin in admin.site._registry.items():
        for function, name, _description in model_admin._get_base_actions():
            declared = set(getattr(function, "allowed_permissions", ()))
            assert declared - {"view"}, f"{model._meta.label}: the action {name} needs only the view permission"
            for permission in declared:
                assert callable(getattr(model_admin, f"has_{permission}_permission", None)), (name, permission)


def test_the_accountant_is_offered_only_printing_and_store_staff_nothing(everyone):
    for role, printing in (("accountant", {("sales.sale", "print_purchase_records")}), ("store staff", set())):
        user = everyone[role]
        assert {(m._meta.label_lower, name) for m, name in ACTIONS if offered(user, m, name)} == printing, role


@pytest.mark.parametrize(("model", "name"), ACTIONS, ids=[f"{m._meta.label_lower}.{name}" for m, name in ACTIONS])
def test_who_is_not_offered_an_action_neither_sees_nor_posts_it(everyone, office, model, name):
    model_admin = admin.site._registry[model]
    pks = [str(pk) for pk in model_admin.get_queryset(request_of(everyone["superuser"])).values_list("pk", flat=True)]
    assert pks, f"no {model._meta.label} in the office: add one to tests/office.py"
    for role, user in everyone.items():
        if offered(user, model, name):
            continue
        client = Client()
        client.force_login(user)
        page = client.get(changelist(model))
        assert page.status_code in (302, 403) or f'<option value="{name}"' not in page.content.decode(), role
        before = snapshot()
        answer = client.post(
            changelist(model), {"action": name, "_selected_action": pks, "select_across": "1", "index": "0"}
        )
        refused = answer.status_code == 403 or answer.status_code == 302 and "/admin/login/" in answer["Location"]
        assert refused, f"{role} posting {name}: {answer.status_code}"
        assert snapshot() == before, f"{role} posting {name} changed something"


def test_an_officer_revokes_every_tills_token_and_closes_reminders(client, officer, store):
    one_of_each(officer, store)
    client.force_login(officer)
    for model, name in ((ApiToken, "revoke"), (Reminder, "mark_done")):
        page = client.get(changelist(model))
        assert f'<option value="{name}"' in page.content.decode()
        answer = client.post(changelist(model), {"action": name, "_selected_action": ["1"], "select_across": "1"})
        assert answer.status_code == 302
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
    assert not Reminder.objects.filter(done_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="token_revoke", actor=officer).count() == ApiToken.objects.count()


def test_an_accountant_reads_tokens_and_reminders_but_cannot_revoke_or_close_them(client, accountant, officer, store):
    one_of_each(officer, store)
    client.force_login(accountant)
    for model, name in ((ApiToken, "revoke"), (Reminder, "mark_done")):
        page = client.get(changelist(model))
        assert page.status_code == 200 and f'value="{name}"' not in page.content.decode()
        pks = [str(pk) for pk in model.objects.values_list("pk", flat=True)]
        answer = client.post(changelist(model), {"action": name, "_selected_action": pks, "select_across": "1"})
        assert answer.status_code == 403
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == ApiToken.objects.count() > 0
    assert Reminder.objects.filter(done_at__isnull=True).count() == Reminder.objects.count() > 0
