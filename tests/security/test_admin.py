"""Admin actions by role: every action of every registered model (found in the admin's registry, so
a new one is covered by itself) is offered only to who holds its permission, and refused to others."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from sales.models import Customer
from stores.models import Reminder
from taxfree.models import ApiToken, AuditEvent
from taxfree.tokens import digest
from tests.factories import BusinessFactory, UserFactory
from tests.forms import submitted
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
    done = AuditEvent.objects.filter(action="reminder_mark_done", actor=officer, object_type="stores.Reminder")
    assert done.count() == Reminder.objects.count()


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


# Admin pages that save: every add and change page of every registered model opens and saves what a
# person would type (a 500 on a page is a bug: the API token's Add page once always failed).
PAGES = list(admin.site._registry)
# Rows no one adds by hand, each with why: their admin offers no Add (answers 403).
NO_ADD = {
    "axes.accessattempt": "written by django-axes on failed logins",
    "axes.accessfailurelog": "written by django-axes on failed logins",
    "axes.accesslog": "written by django-axes on logins",
    "django_q.failure": "written by the task cluster",
    "django_q.ormq": "written by the task queue",
    "django_q.success": "written by the task cluster",
    "sales.payout": "chosen at the till, on the traveller's page, through the API or from the refunds queue",
    "sales.payoutattempt": "written by the card refund or the bank file that pays",
    "sales.payoutbatch": "written from the refunds queue's ready bank transfers",
    "sales.refund": "paid through the refunds queue, the till or the API (refund_pay)",
    "sales.sale": "finished at the till or through the API",
    "sales.signal": "raised by the signal rules (sales/watch)",
    "stores.reminder": "raised by the scheduled checks",
    "stores.webhookattempt": "made by sending a delivery",
    "stores.webhookdelivery": "written with the change its event tells",
    "taxfree.auditevent": "written by the workflows",
    "taxfree.enrolmentlink": "issued from the users' page (an action), shown once",
    "taxfree.notice": "written with the change it tells a traveller of",
    "transmission.customsconfirmation": "pulled from the NTA",
    "transmission.purchaserecord": "written with its sale",
}
# Rows no one changes, each with why: their page shows them read-only and refuses a POST.
READ_ONLY = {
    "sales.payout": "changed through payout_set (audited): the sale page, the traveller's page, the API",
    "sales.payoutattempt": "a payment as the provider or the bank answered it",
    "sales.payoutbatch": "marked sent and paid from its own page",
    "sales.refund": "a paid refund is never edited",
    "sales.sale": "a finished sale is never edited: corrections are cancellations",
    "sales.signal": "reviewed, dismissed or reopened on its own review page",
    "stores.ntacertificate": "a certificate is replaced by importing its renewal",
    "stores.webhookattempt": "as the partner's endpoint answered",
    "stores.webhookdelivery": "as it was sent; its action sends it again",
    "taxfree.auditevent": "the audit trail is never edited",
    "taxfree.enrolmentlink": "a link is used or replaced, never edited",
    "taxfree.notice": "as it was sent",
    "transmission.customsconfirmation": "as the NTA returned it",
    "transmission.purchaserecord": "corrected through its own page (NG), never edited",
}


PASSWORD = "a-long-pass-phrase-42"


def typed(model, office) -> dict[str, object]:
    """What a person types on the model's Add page; the page itself gives everything else."""
    store, officer, clerk = office.store, office.officer, office.clerk
    place = {"business": store.business_id, "name": "New one", "address": "東京都中央区1-1"}
    if model._meta.label_lower == "sales.payoutaccount":  # one per business: a business without one
        bank = {"holder": "NEW SHOP", "account_number": "7654321", "bic": "SAKRJPJT", "bank_country": "JP"}
        return {"business": BusinessFactory().pk, **bank, "currency": "JPY"}
    return {
        "auth.group": {"name": "Cashiers"},
        "auth.user": {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
        "django_q.schedule": {"name": "nightly 2", "func": "math.floor", "args": "1.5"},
        "otp_totp.totpdevice": {"user": officer.pk, "name": "spare phone"},
        "taxfree.apitoken": {"user": clerk.pk, "name": "Ginza till 3"},
        "stores.business": {"name": "New Co.", "tax_payment_place": "東京都中央区1-1", "tax_office": "京橋税務署"},
        "stores.store": {**place, "manager_name": "Sato", "permit_date": "2026-01-05", "identifier": "9" * 21},
        "stores.temporarysite": {**place, "store": store.pk, "opens_on": "2027-02-01", "closes_on": "2027-02-10"},
        "stores.ntacertificate": office.certificate_upload(),
        "stores.jpkicertificate": {
            "business": store.business_id,
            "kind": "signature",
            "holder_name": "SATO",
            "holder_address": "東京都中央区1-1",
            "holder_birth_date": "1980-01-01",
            "issued_on": "2026-01-05",
            "card_expires_on": "2035-01-05",
        },
        "stores.webhookendpoint": {
            "business": store.business_id,
            "url": "https://pos.example/new",
            "events": ["refund.paid"],
        },
        "stores.filing": {"kind": "change", "business": store.business_id, "store": store.pk, "due_on": "2027-01-05"},
        "sales.customer": {
            "store": store.pk,
            "family_name": "NEW",
            "nationality": "USA",
            "birth_date": "1990-01-01",
            "sex": "F",
        },
        "sales.identitydocument": {
            "customer": office.customer.pk,
            "document_type": "passport",
            "number": "TZ7654321",
            "landing_date": "2026-12-01",
        },
        "sales.product": {"business": store.business_id, "name": "Fan", "unit_price": "3300"},
    }[model._meta.label_lower]


def url_of(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def certificate_upload(sandbox) -> dict[str, object]:
    """A till's PKCS#12 file from the sandbox's CA, as the import page takes it."""
    now = datetime.now().astimezone()
    issued = sandbox.ca.issue_client("8" * 21, now - timedelta(days=1), now + timedelta(days=365))
    p12 = SimpleUploadedFile("till.p12", issued.pkcs12(b"pw-123456"), "application/x-pkcs12")
    return {"identifier": "8" * 21, "file": p12, "password": "pw-123456"}


@pytest.fixture
def office_pages(officer, clerk, store, nta):
    one_of_each(officer, store)
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return SimpleNamespace(
        store=store,
        officer=officer,
        clerk=clerk,
        customer=Customer.objects.first(),
        client=client,
        certificate_upload=lambda: certificate_upload(nta),
    )


@pytest.mark.parametrize("model", PAGES, ids=[m._meta.label_lower for m in PAGES])
def test_every_add_page_opens_and_saves_what_a_person_types(office_pages, model):
    client, label = office_pages.client, model._meta.label_lower
    page = client.get(url_of(model, "add"))
    if label in NO_ADD:
        assert page.status_code == 403, label
        pytest.skip(f"no Add page: {NO_ADD[label]}")
    assert page.status_code == 200, label
    before = model._default_manager.count()
    data = {**submitted(page.content.decode()), **typed(model, office_pages), "_save": "Save"}
    answer = client.post(url_of(model, "add"), data)
    assert answer.status_code == 302, errors_of(answer)
    assert model._default_manager.count() == before + 1


@pytest.mark.parametrize("model", PAGES, ids=[m._meta.label_lower for m in PAGES])
def test_every_change_page_opens_and_saves_as_it_stands(office_pages, model):
    client, label = office_pages.client, model._meta.label_lower
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"no {model._meta.label} in the office: add one to tests/office.py"
    page = client.get(url_of(model, "change", row.pk))
    assert page.status_code == 200, label
    data = {**submitted(page.content.decode()), "_save": "Save"}
    answer = client.post(url_of(model, "change", row.pk), data)
    if label in READ_ONLY:
        assert answer.status_code == 403 and 'name="_save"' not in page.content.decode(), label
        pytest.skip(f"read-only: {READ_ONLY[label]}")
    assert answer.status_code == 302, errors_of(answer)


def errors_of(answer) -> str:
    """The form's errors as the page shows them, for the failure's message."""
    context = getattr(answer, "context", None) or {}
    form = context.get("adminform") or context.get("form")
    errors = getattr(getattr(form, "form", form), "errors", None)
    inline = [f.formset.errors for f in context.get("inline_admin_formsets", [])]
    return f"{answer.status_code}: {errors} {inline}"


def test_an_officer_makes_a_tills_token_on_the_add_page_and_sees_it_once(client, officer, clerk):
    client.force_login(officer)
    page = client.get(url_of(ApiToken, "add"))
    data = {**submitted(page.content.decode()), "user": clerk.pk, "name": "Kyoto till 1", "_save": "Save"}
    answer = client.post(url_of(ApiToken, "add"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    token = ApiToken.objects.get(name="Kyoto till 1")
    [secret] = [found[1] for m in answer.context["messages"] if (found := re.search(r" is (\S+) — copy it", m.message))]
    assert token.user == clerk and token.digest == digest(secret) and token.expires_at > timezone.now()
    assert AuditEvent.objects.filter(action="token_issue", actor=officer, object_id=str(token.pk)).exists()
    assert secret not in client.get(url_of(ApiToken, "change", token.pk)).content.decode()
