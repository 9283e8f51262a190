"""The staff flow in a real browser: Playwright driving Debian's headless Chromium."""

import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from sales.models import Sale

from .factories import ProductFactory, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by `make install`"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1024, "height": 1366})
        yield context.new_page()
        browser.close()


def test_a_clerk_sells_tax_free_from_customer_to_finished_sale(page, live_server, settings, store):
    settings.SECURE_SSL_REDIRECT = False
    clerk = UserFactory(username="clerk", role="Store staff")
    store.staff.add(clerk)
    ProductFactory(business=store.business, name="Nishijin obi", jan_code="4900000000061", unit_price=66_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.click("text=New tax-free sale")

    form = page.locator("#customer-form")
    form.locator("[name=c-document_type]").select_option("passport")
    form.locator("[name=c-document_number]").fill("TZ0000001")
    form.locator("[name=c-family_name]").fill("SAMPLE")
    form.locator("[name=c-given_names]").fill("MEI")
    form.locator("[name=c-nationality]").select_option("TWN")
    form.locator("[name=c-birth_date]").fill("1990-02-03")
    form.locator("[name=c-sex]").select_option("F")
    form.locator("[name=c-status_of_residence]").select_option("temporary_visitor")
    form.locator("[name=c-landing_date]").fill(timezone.localdate().isoformat())
    form.locator("[name=c-has_landing_stamp]").check()
    form.locator("button[type=submit]").click()

    page.fill("#id_scan-jan", "4900000000061")
    page.press("#id_scan-jan", "Enter")  # a barcode scanner types the code and Enter
    assert page.locator("#decision").get_by_text("Eligible for tax-free sale").is_visible()
    assert page.locator("#refund").inner_text() == "6,000"
    assert page.locator("#finish").is_disabled()

    page.click("#explain-link")
    assert "免稅購物須知" in page.locator("h1").inner_text()  # Taiwanese customer: Traditional Chinese
    page.click("#acknowledge")
    page.click("#finish")
    assert page.locator("#record-state").inner_text() == "pending"
    sale = Sale.objects.get()
    assert (sale.refund_amount, sale.customer_language, sale.created_by) == (6_000, "zh-hant", clerk)
