"""The officer's pages in a real browser at a phone's width (390 px) and a tablet's (1024 px): nothing
wider than the screen, the file downloads, the customer is found and their data exported."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.factories import DocumentFactory, UserFactory, finalize, item
from tests.sales.till.test_browser import CHROMIUM, _connections_closed  # noqa: F401 (a fixture)
from tests.sales.till.test_browser_fit import SHOTS, browser, log_in, open_page, shot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by `make install`"),
]
SIZES = [pytest.param((390, 844), id="phone"), pytest.param((1024, 768), id="tablet")]
WIDER = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def shop(store):
    officer = UserFactory(role="Compliance officer", username="officer")
    clerk = UserFactory(role="Store staff", username="clerk")
    store.staff.add(clerk)
    finalize(clerk, DocumentFactory(customer__store=store, number="TZ7654321"), [item(20_000)])
    return officer


@pytest.mark.parametrize("size", SIZES)
def test_the_inspectors_file_page(browser, live_server, shop, size, tmp_path):  # noqa: F811
    page = open_page(browser, size, "ja-JP")
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/reports/")
    page.click("text=税務調査用ファイル：期間中の各記録の経過を ZIP で")
    assert page.evaluate(WIDER) is False
    shot(page, "inspector", size)
    page.fill("#id_start", "2026-11-01")
    page.fill("#id_end", "2026-11-30")
    with page.expect_download() as download:
        page.click("#inspector-form button[type=submit]")
    path = tmp_path / "file.zip"
    download.value.save_as(path)
    assert "01_records.csv" in zipfile.ZipFile(path).namelist()


@pytest.mark.parametrize("size", SIZES)
def test_personal_data_on_request(browser, live_server, shop, size, tmp_path):  # noqa: F811
    page = open_page(browser, size, "ja-JP")
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/reports/inspector/customers/")
    page.fill("#id_number", "TZ7654321")
    page.click("#find-form button[type=submit]")
    assert page.locator("h2", has_text="SAMPLE ALEX").is_visible()
    assert page.locator("text=この顧客のデータを閲覧した人").is_visible()
    assert page.evaluate(WIDER) is False
    shot(page, "personal-data", size)
    with page.expect_download() as download:
        page.click("text=個人データを書き出す（JSON）")
    path = tmp_path / "data.json"
    download.value.save_as(path)
    assert json.loads(path.read_text())["documents"][0]["number"] == "TZ7654321"
