"""The staff sale flow from customer to finished sale, cancellation, and store isolation."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.models import Customer, IdentityDocument, Sale
from taxfree.models import AuditEvent
from tests.factories import DocumentFactory, ProductFactory, finalize, item, till_start
from transmission.models import PurchaseRecord

pytestmark = pytest.mark.django_db


def customer_post(**over):
    landing = timezone.localdate().replace(day=1)
    data = {
        "c-document_type": "passport",
        "c-document_number": "tz 1234567",
        "c-issuing_country": "USA",
        "c-family_name": "SAMPLE",
        "c-given_names": "ALEX",
        "c-nationality": "USA",
        "c-birth_date": "1990-01-01",
        "c-sex": "X",
        "c-status_of_residence": "temporary_visitor",
        "c-landing_date": landing.isoformat(),
        "c-has_landing_stamp": "on",
    }
    data.update(over)
    return data


def test_staff_enter_a_sale_from_customer_to_finished(client, clerk, store):
    product = ProductFactory(business=store.business, jan_code="4900000000016", unit_price=33_000)
    client.force_login(clerk)
    till = till_start(client, store, customer_post())
    assert till.answer.status_code == 302
    assert not IdentityDocument.objects.exists()  # written with the sale, at Finish
    basket = till.basket
    client.post(basket, {"action": "scan", "scan-jan": product.jan_code, "scan-quantity": 2})
    client.post(
        basket,
        {
            "action": "item",
            "item-name": "Green tea",
            "item-quantity": 1,
            "item-unit_price": 1080,
            "item-price_includes_tax": "on",
            "item-tax_rate": "reduced",
            "item-category": "consumable",
        },
    )
    page = client.get(basket).content.decode()
    assert "※Green tea" in page and "¥6000" in page.replace(",", "")  # refund 6,000 + 80
    assert 'id="finish" disabled' in page  # not acknowledged yet
    assert client.post(till.finish).status_code == 302
    assert Sale.objects.count() == 0
    explain = client.get(till.explain + "?lang=th").content.decode()
    assert "ภายใน 90 วัน" in explain
    client.post(till.explain, {"language": "th"})
    r = client.post(till.finish, {"receipt_number": "R-1"})
    sale = Sale.objects.get()
    assert r.url == reverse("staff:sale", args=[sale.pk])
    assert IdentityDocument.objects.get().number == "TZ1234567" == sale.document.number
    assert (sale.total_excl_tax, sale.total_tax, sale.refund_amount) == (61_000, 6_080, 6_080)
    assert (sale.customer_language, sale.receipt_number, sale.items.count()) == ("th", "R-1", 2)
    assert sale.record.state == PurchaseRecord.State.PENDING
    assert AuditEvent.objects.filter(action="sale_finalize", object_id=str(sale.pk)).exists()


def test_a_basket_that_is_not_eligible_cannot_be_finished(client, clerk, store):
    client.force_login(clerk)
    till = till_start(client, store, customer_post(**{"c-status_of_residence": "student"}))
    basket = till.basket
    client.post(
        basket,
        {
            "action": "item",
            "item-name": "Bag",
            "item-quantity": 1,
            "item-unit_price": 50_000,
            "item-tax_rate": "standard",
            "item-category": "general",
        },
    )
    client.post(till.explain, {"language": "en"})
    page = client.get(basket).content.decode()
    assert 'data-code="status_not_eligible"' in page
    client.post(till.finish)
    assert Sale.objects.count() == 0


def test_bad_customer_input_changes_nothing(client, clerk, store):
    client.force_login(clerk)
    till = till_start(client, store, customer_post(**{"c-nationality": "ZZZ", "c-birth_date": "2999-01-01"}))
    assert till.answer.status_code == 200 and Customer.objects.count() == 0


def test_staff_pages_hide_other_stores_sales(client, clerk, officer, other_store):
    sale = finalize(officer, DocumentFactory(customer__store=other_store), [item(10_000)])
    client.force_login(clerk)
    assert client.get(reverse("staff:sale", args=[sale.pk])).status_code == 404
    assert client.get(reverse("staff:start", args=[other_store.pk])).status_code == 404
    assert client.post(reverse("staff:cancel", args=[sale.pk])).status_code == 404
    assert Sale.objects.count() == 1


def test_an_accountant_can_read_but_not_sell_or_cancel(client, accountant, officer, document):
    sale = finalize(officer, document, [item(10_000)])
    client.force_login(accountant)
    assert client.get(reverse("staff:sale", args=[sale.pk])).status_code == 200
    assert client.get(reverse("staff:start", args=[document.customer.store.pk])).status_code == 403
    assert client.post(reverse("staff:cancel", args=[sale.pk])).status_code == 403
    assert client.post(reverse("admin:sales_sale_change", args=[sale.pk]), {}).status_code == 403
    assert Sale.objects.count() == 1


def test_viewing_a_sale_is_audited(client, clerk, document):
    sale = finalize(clerk, document, [item(10_000)])
    client.force_login(clerk)
    client.get(reverse("staff:sale", args=[sale.pk]))
    assert AuditEvent.objects.filter(action="sale_view", actor=clerk, object_id=str(sale.pk)).exists()


def test_the_staff_pages_speak_japanese_and_english(client, clerk, store):
    client.force_login(clerk)
    assert "新しい免税販売" in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "New tax-free sale" in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_scanning_a_product_beyond_what_a_record_carries_is_refused_and_the_line_kept(client, clerk, store):
    product = ProductFactory(business=store.business, jan_code="4900000000016", unit_price=100_000)
    client.force_login(clerk)
    till = till_start(client, store, customer_post())
    scan = {"action": "scan", "scan-jan": product.jan_code}
    client.post(till.basket, {**scan, "scan-quantity": 9_000})
    page = client.post(till.basket, {**scan, "scan-quantity": 1_000}, HTTP_ACCEPT_LANGUAGE="en")
    assert "10,000 is outside ±9,999" in page.content.decode()
    assert [i["quantity"] for i in client.session["drafts"][till.draft]["items"]] == [9_000]
    priced = ProductFactory(business=store.business, jan_code="4900000000023", unit_price=999_999_999)
    page = client.post(till.basket, {**scan, "scan-jan": priced.jan_code, "scan-quantity": 2})
    assert "1,999,999,998 は ±999,999,999 の範囲外です" in page.content.decode()  # the office's language


def test_finish_sent_again_after_the_sale_was_made_shows_that_sale(client, clerk, store):
    client.force_login(clerk)
    till = till_start(client, store, customer_post())
    client.post(
        till.basket,
        {
            "action": "item",
            "item-name": "Bag",
            "item-quantity": 1,
            "item-unit_price": 10_000,
            "item-tax_rate": "standard",
            "item-category": "general",
        },
    )
    client.post(till.explain, {"language": "en"})
    made = client.post(till.finish)
    again = client.post(till.finish, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert again.redirect_chain[0][0] == made.url and Sale.objects.count() == 1
    assert "already finished (Finish was sent twice)" in again.content.decode()


def test_reloading_the_basket_or_the_rules_after_finish_shows_the_finished_sale(client, clerk, store):
    client.force_login(clerk)
    till = till_start(client, store, customer_post())
    client.post(till.basket, {**BAG_ITEM})
    client.post(till.explain, {"language": "en"})
    made = client.post(till.finish)
    for url in (till.basket, till.explain, till.customer):
        again = client.get(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
        assert again.status_code == 200 and again.redirect_chain[0][0] == made.url
        assert "This sale is finished: here it is." in again.content.decode()


def test_a_discarded_draft_reloaded_opens_the_start_page(client, clerk, store):
    client.force_login(clerk)
    till = till_start(client, store, customer_post())
    client.post(till.discard)
    again = client.get(till.basket, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert again.redirect_chain[0][0] == reverse("staff:home")
    assert "already finished or discarded" in again.content.decode()


BAG_ITEM = {
    "action": "item",
    "item-name": "Bag",
    "item-quantity": 1,
    "item-unit_price": 10_000,
    "item-tax_rate": "standard",
    "item-category": "general",
}


def test_the_jan_field_has_the_focus_for_a_keyboard_wedge_scanner_unless_another_form_has_errors(client, clerk, store):
    client.force_login(clerk)
    till = till_start(client, store, customer_post())
    page = client.get(till.basket).content.decode()
    assert re.search(r'<input[^>]*name="scan-jan"[^>]*autofocus', page)
    after = client.post(till.basket, {**BAG_ITEM}, follow=True).content.decode()  # back after an add
    assert re.search(r'<input[^>]*name="scan-jan"[^>]*autofocus', after)
    wrong = client.post(till.basket, {**BAG_ITEM, "item-unit_price": "x"}).content.decode()
    assert not re.search(r'<input[^>]*name="scan-jan"[^>]*autofocus', wrong)


def test_the_home_page_links_are_one_tab_stop_named_with_their_store(client, clerk, store):
    client.force_login(clerk)
    home = client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert not re.search(r"<a\b[^>]*>\s*<button", home)
    assert f'aria-label="New tax-free sale — {store.name}"' in home


def test_the_record_state_is_announced(client, clerk, document):
    sale = finalize(clerk, document, [item(10_000)])
    client.force_login(clerk)
    page = client.get(reverse("staff:sale", args=[sale.pk])).content.decode()
    assert re.search(r'<p role="status" aria-live="polite">[^<]*<strong id="record-state"', page)


def test_a_draft_never_finished_writes_nothing_to_the_customer_s_document(client, clerk, store):
    client.force_login(clerk)
    first = till_start(client, store, customer_post())
    client.post(first.basket, {**BAG_ITEM})
    client.post(first.explain, {"language": "en"})
    client.post(first.finish)
    landed = IdentityDocument.objects.get().landing_date
    wrong = (timezone.localdate() - timezone.timedelta(days=200)).isoformat()  # a typing slip, never finished
    abandoned = till_start(client, store, customer_post(**{"c-landing_date": wrong}))
    client.post(abandoned.basket, {**BAG_ITEM})
    assert IdentityDocument.objects.get().landing_date == landed
    assert not AuditEvent.objects.filter(action="document_change").exists()
    later = till_start(client, store)
    client.post(later.customer, {"search": "1", "s-number": "TZ1234567"})
    form = client.get(later.customer).context["form"]
    assert form.initial["landing_date"] == landed  # prefilled from the finished sale, not the draft


def test_empty_drafts_expire_and_leave_the_home_page(client, clerk, store):
    client.force_login(clerk)
    kept = till_start(client, store, customer_post())
    client.post(kept.basket, {**BAG_ITEM})
    for _n in range(3):
        till_start(client, store)
    session = client.session
    for draft in session["drafts"].values():  # all of them left an hour ago
        draft["created"] = draft["changed"] = (timezone.now() - timezone.timedelta(hours=1)).isoformat()
    session.save()
    home = client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert home.count("no customer yet") == 0 and kept.basket in home
    assert list(client.session["drafts"]) == [kept.draft]
