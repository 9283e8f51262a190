"""The traveller's page in a real browser (Playwright driving Debian's headless Chromium) on a
360 px phone: no sideways scroll in any language, the transfer chosen through the form; and the
staff sale page's QR code, read back from a screenshot, opens the traveller's link.

Screenshots go to $SCREENSHOTS when set (to look at them), else to the test's own folder."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from sales.refunds.payouts.models import Payout
from sales.traveller import links
from sales.traveller.texts import LANGUAGES
from tests.factories import UserFactory
from tests.payouts import as_state, refund_sale
from tests.sales.till.test_browser import ARGS, CHROMIUM, _connections_closed  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by `make install`"),
]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sideways(page) -> int:
    """How far the page scrolls sideways: 0 on a page that fits the phone."""
    page.mouse.wheel(400, 0)
    x = page.locator("html").evaluate("html => html.scrollWidth - html.clientWidth")
    return int(x)


def test_the_page_fits_a_360px_phone_in_every_language_and_the_traveller_chooses_a_transfer(
    phone, live_server, settings, store, shots
):
    settings.SECURE_SSL_REDIRECT = False
    clerk = UserFactory(role="Store staff")
    store.staff.add(clerk)
    sale = refund_sale(clerk, store, language="th")
    as_state(sale, "confirmed")
    url = f"{live_server.url}{links.path(sale.pk)}"
    for language in LANGUAGES:
        phone.goto(f"{url}?lang={language}")
        assert phone.locator("html").get_attribute("lang") == language
        assert sideways(phone) == 0, language
        phone.screenshot(path=str(shots / f"traveller-{language}.png"), full_page=True)
    phone.goto(f"{url}?lang=en")
    form = phone.locator("#method-bank")
    form.locator("#account_holder").fill("Jane Roe")
    form.locator("#bank_country").select_option("DE")
    form.locator("#iban").fill("DE89 3704 0044 0532 0130 01")  # one digit wrong
    form.locator("#bic").fill("COBADEFFXXX")
    form.locator("button").click()
    assert "This IBAN is not valid" in phone.locator("#method-bank").inner_text()
    assert "Please accept the privacy notice" in phone.locator("#method-bank").inner_text()
    phone.screenshot(path=str(shots / "traveller-errors.png"), full_page=True)
    form = phone.locator("#method-bank")
    form.locator("#iban").fill("DE89 3704 0044 0532 0130 00")
    form.locator("#consent-bank").check()
    form.locator("button").click()
    assert phone.locator(".note.ok").inner_text() == "Saved."
    assert "IBAN DE89 •••• 3000" in phone.locator("#choose").inner_text()
    assert sideways(phone) == 0
    phone.screenshot(path=str(shots / "traveller-saved.png"), full_page=True)
    assert Payout.objects.get(sale=sale).method == "bank_transfer"


def test_the_staff_sale_page_shows_a_qr_code_that_opens_the_travellers_link(
    browser, live_server, settings, store, shots
):
    settings.SECURE_SSL_REDIRECT = False
    clerk = UserFactory(username="clerk", role="Store staff")
    store.staff.add(clerk)
    sale = refund_sale(clerk, store)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/staff/sales/{sale.pk}/")
    page.locator("#payout").scroll_into_view_if_needed()
    image = page.locator("#payout img").screenshot()
    page.screenshot(path=str(shots / "staff-sale-phone.png"), full_page=True)
    decoded = [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))]
    assert decoded == [links.url(sale.pk)]
    assert page.locator("#traveller-url").inner_text() == links.url(sale.pk)
    context.close()
