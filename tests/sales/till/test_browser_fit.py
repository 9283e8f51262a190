"""Issue 25 in a real browser, at a phone's width (390 px) and a tablet's (1024 px): checks at
entry, the scanner's focus, the reload after Finish, what fits the screen, and focus made visible."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sales.models import Sale
from sales.refunds.models import Refund
from tests.factories import DocumentFactory, ProductFactory, UserFactory, finalize, item
from transmission.models import PurchaseRecord

from .test_browser import ARGS, CHROMIUM, _connections_closed  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by `make install`"),
]
SIZES = [pytest.param((390, 844), id="phone"), pytest.param((1024, 768), id="tablet")]
# Screenshots for a person to look at, when asked for (never committed): SCREENSHOTS=/tmp/dir
SHOTS = os.environ.get("SCREENSHOTS", "")


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as in test_browser's `page`
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


def open_page(browser, size, language="en-US"):
    # Measuring needs scripts of the test's own: the page's policy allows none inline.
    context = browser.new_context(locale=language, viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    return context.new_page()


def shot(page, name, size) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}-{size[0]}.png", full_page=True)


def log_in(page, live_server, username) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")


def focused(page) -> str:
    return page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.tagName)")


# A cell's label (its ::before on a phone) or, in a table cell without one, its first word on one line.
ONE_LINE_LABEL = """e => {
  const before = getComputedStyle(e, '::before');
  if (before.content && before.content !== 'none' && before.content !== 'normal') {
    return before.whiteSpace === 'nowrap';
  }
  const text = [...e.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  if (!text) return true;
  const range = document.createRange();
  range.selectNodeContents(text);
  return range.getClientRects().length <= 1;
}"""


def fill_customer(page, family_name: str) -> None:
    form = page.locator("#customer-form")
    form.locator("[name=c-document_type]").select_option("passport")
    form.locator("[name=c-document_number]").fill("TZ0000001")
    form.locator("[name=c-family_name]").fill(family_name)
    form.locator("[name=c-given_names]").fill("MIN JUN")
    form.locator("[name=c-nationality]").select_option("KOR")
    form.locator("[name=c-birth_date]").fill("1990-02-03")
    form.locator("[name=c-sex]").select_option("M")
    form.locator("[name=c-status_of_residence]").select_option("temporary_visitor")
    form.locator("[name=c-landing_date]").fill(timezone.localdate().isoformat())
    form.locator("[name=c-has_landing_stamp]").check()
    form.locator("button[type=submit]").click()


def typed_item(page, name: str, price: str = "12000") -> None:
    if not page.locator("#other-item").get_attribute("open") == "":
        page.locator("#other-item summary").click()
    page.fill("[name=item-name]", name)
    page.fill("[name=item-unit_price]", price)
    page.locator("#item-form button[type=submit]").click()


@pytest.mark.parametrize("size", SIZES)
def test_the_till_checks_at_entry_keeps_the_scanner_s_focus_and_fits_the_screen(
    browser, live_server, settings, store, size
):
    settings.SECURE_SSL_REDIRECT = False
    clerk = UserFactory(username="clerk", role="Store staff")
    store.staff.add(clerk)
    for n in (1, 2):
        ProductFactory(
            business=store.business, name=f"Nishijin obi {n}", jan_code=f"490000000006{n}", unit_price=66_000
        )
    page = open_page(browser, size)
    log_in(page, live_server, "clerk")
    assert page.locator("a button, button a").count() == 0  # one tab stop per action (item 15)
    start = page.get_by_role("link", name=f"New tax-free sale — {store.name}")
    assert start.count() == 1
    shot(page, "home", size)
    start.click()

    # Item 6: what pre-flight refuses is said at entry, in the page's language, before Finish.
    fill_customer(page, "KIM 😀")
    errors = page.locator("#error-summary").inner_text()
    assert "letters A–Z" in errors and "family name" in errors
    shot(page, "customer-refused", size)
    page.locator("[name=c-family_name]").fill("KIM")
    with page.expect_navigation():
        page.locator("#customer-form button[type=submit]").click()

    # Item 8: a keyboard-wedge scanner types into the JAN field, on arrival and after each add.
    expect(page.locator("#id_scan-jan")).to_be_focused()
    page.keyboard.type("4900000000061")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#id_scan-jan")).to_be_focused()
    page.keyboard.type("4900000000062")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#id_scan-jan")).to_be_focused()

    typed_item(page, "x" * 128)
    assert "has 128 characters; at most 50" in page.locator("#item-form").inner_text()
    typed_item(page, "Sake cup 🍶 set")
    assert "U+1F376" in page.locator("#item-form").inner_text()
    typed_item(page, "ｻｹ cup")
    assert "ｻｹ cup → サケ cup" in page.locator("main").inner_text()
    assert "サケ cup" in page.locator("#basket").inner_text()

    # Item 14: basket lines compact; the decision table inside its card.
    rows = page.locator("#basket tbody tr:not(.rounding)")
    heights = [rows.nth(n).bounding_box()["height"] for n in range(rows.count())]
    assert max(heights) < 300, heights  # was ~900 px a line on a phone
    decision = page.locator("#decision")
    assert decision.evaluate("e => e.scrollWidth <= e.clientWidth")
    cells = decision.locator("td, th")
    assert all(
        cells.nth(n).evaluate("e => e.getClientRects().length <= 1 && e.scrollWidth <= e.clientWidth + 1")
        for n in range(cells.count())
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    shot(page, "basket", size)
    japanese = open_page(browser, size, "ja-JP")
    japanese.context.add_cookies(page.context.cookies())
    japanese.goto(page.url)
    shot(japanese, "basket-ja", size)
    labelled = ", #basket td[data-label]" if size[0] < 640 else ""  # a phone's cards: label and value
    for cell in japanese.locator(f"#decision td:first-child, #decision th:first-child{labelled}").all():
        assert cell.evaluate(ONE_LINE_LABEL), cell.inner_text()  # not 合/計, 10/%, 記/録
    assert japanese.locator("#decision").evaluate("e => e.scrollWidth <= e.clientWidth")
    japanese.context.close()

    # Item 15: the focus ring shows on a dark button.
    page.locator("#explain-link").click()
    page.click("#acknowledge")
    page.locator("#finish").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard: :focus-visible
    assert focused(page) == "finish"
    ring = page.locator("#finish").evaluate(
        "e => getComputedStyle(e).outlineColor + ' ' + getComputedStyle(e).outlineStyle"
    )
    assert ring == "rgb(255, 221, 0) solid"
    basket_url = page.url
    page.click("#finish")
    assert page.locator("#record-state").is_visible()
    assert page.locator("p:has(#record-state)").get_attribute("aria-live") == "polite"
    sale = Sale.objects.get()

    # Item 11: the basket reloaded after Finish shows the finished sale.
    page.goto(basket_url)
    assert page.url.endswith(f"/staff/sales/{sale.pk}/")
    assert "This sale is finished" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    shot(page, "sale", size)


@pytest.mark.parametrize("size", SIZES)
def test_the_office_s_records_and_refunds_lists_show_their_columns(browser, live_server, settings, store, size):
    settings.SECURE_SSL_REDIRECT = False
    settings.OTP_REQUIRED = False
    officer = UserFactory(username="officer", role="Compliance officer", is_staff=True)
    now = timezone.now()
    for n in range(3):
        sale = finalize(officer, DocumentFactory(customer__store=store), [item(30_000 + n)], day=timezone.localdate())
        PurchaseRecord.objects.filter(sale=sale).update(
            customs_state="confirmed", customs_confirmed_at=now, state="ok", accepted_at=now
        )
        if n == 1:  # a route the office records by hand: its "Record the refund" button
            from sales.refunds.payouts.services import payout_set  # noqa: PLC0415

            payout_set(
                actor=officer, sale=sale, by="office", method="operator", data={"operator_name": "Global Refund"}
            )
        if n == 0:
            Refund.objects.create(
                sale=sale, store=store, due=3_000, paid=3_000, channel=Refund.Channel.CASH, paid_at=now, paid_by=officer
            )
    page = open_page(browser, size)
    log_in(page, live_server, "officer")
    for name, url in (
        ("records", "/admin/transmission/purchaserecord/"),
        ("refunds", "/admin/sales/refund/"),
        ("queue", "/admin/sales/refund/queue/"),
    ):
        page.goto(f"{live_server.url}{url}")
        shot(page, name, size)
        if size[0] >= 1024:
            for table in page.locator("table").all():
                assert table.evaluate("t => t.getBoundingClientRect().right <= window.innerWidth + 1"), name
            scrolled = page.locator(".results, #changelist .results")
            for box in scrolled.all():
                assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"{name} scrolls sideways"
            buttons = page.locator("td a.button").all()
            assert name != "queue" or buttons
            for button in buttons:
                assert button.evaluate(
                    "b => { const c = b.closest('td').getBoundingClientRect(), r = b.getBoundingClientRect();"
                    " return r.left >= c.left - 1 && r.right <= c.right + 1; }"
                ), f"{name}: a button overflows its cell"
