"""The staff sale page after an officer's correction, in a real browser at a phone's width (390 px)
and a tablet's (1024 px): the corrected facts and the trail fit the screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import DocumentFactory, UserFactory, finalize, item
from transmission.dispatch import record_send
from transmission.services import record_correct

from .test_browser import CHROMIUM, _connections_closed  # noqa: F401 (a fixture)
from .test_browser_fit import SIZES, browser, log_in, open_page, shot  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by `make install`"),
]


@pytest.mark.parametrize("size", SIZES)
def test_the_corrected_sale_page_shows_the_facts_the_nta_has_and_fits(browser, live_server, certified, size):  # noqa: F811
    clerk = UserFactory(username="clerk", role="Store staff")
    certified.staff.add(clerk)
    officer = UserFactory(username="officer", role="Compliance officer")
    doc = DocumentFactory(customer__store=certified, number="TK12")
    sale = finalize(clerk, doc, [item(10_000, name="Bag", detail="革、黒"), item(8_000, name="Silk scarf")])
    assert record_send(sale.record.pk) == "preflight"
    sale.record.refresh_from_db()
    changes = {"family_name": "SAMPEL", "document_number": "TK1234567", "item_1_name": "Leather tote bag, black"}
    record_correct(actor=officer, record=sale.record, reason="typed from the wrong page", changes=changes)
    page = open_page(browser, size)
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/staff/sales/{sale.pk}/")
    box = page.locator("#correction")
    assert box.is_visible()
    assert "Leather tote bag, black" in box.inner_text() and "typed from the wrong page" in box.inner_text()
    assert "SAMPEL ALEX" in page.locator("main, body").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    shot(page, "sale-corrected", size)
