"""What people typed never becomes a formula in the accountant's spreadsheet (CSV injection):
CSV text cells that start as a formula would are quoted, XLSX writes text as text, numbers stay
numbers — in every export, read back from the files."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from sales.exports.formats import csv_chunks, xlsx_file
from sales.refunds.services import refund_pay
from tests.factories import DocumentFactory, finalize, item
from tests.sandbox import customs_pass

HYPERLINK = '=HYPERLINK("https://example.com/refund","Refund")'
TYPED = [HYPERLINK, "=1+2", "+SUM(1,1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp932")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_cells(data: bytes) -> list[list[tuple[str, str, bool, bool]]]:
    """Each row's cells as (type, text, has a formula, quoted as text)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    quoted = [xf.get("quotePrefix") == "1" for xf in styles.find("x:cellXfs", NS)]
    sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    return [
        [
            (
                cell.get("t", "n"),
                re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), "".join(cell.itertext())),
                cell.find("x:f", NS) is not None,
                quoted[int(cell.get("s", 0))],
            )
            for cell in row.findall("x:c", NS)
        ]
        for row in sheet.iter(f"{{{NS['x']}}}row")
    ]


def test_a_csv_text_cell_that_starts_like_a_formula_is_quoted_and_numbers_stay_numbers():
    rows = csv_rows(b"".join(csv_chunks([["text", "amount"], *[[t, -1_500] for t in TYPED], ["Kimono", 0]])))
    assert [r[0] for r in rows[1:]] == [f"'{t}" for t in TYPED] + ["Kimono"]
    assert {r[1] for r in rows[1:]} == {"-1500", "0"}


def test_an_xlsx_text_cell_is_text_never_a_formula_nor_a_link_and_numbers_stay_numbers():
    rows = [["text", "amount"], *[[t, -1_500] for t in TYPED], ["https://x.test", 3]]
    cells = xlsx_cells(xlsx_file(rows, "s").read())
    body = cells[1:]
    assert not any(formula for row in cells for _t, _v, formula, _q in row)
    assert [(r[0][1], r[0][3]) for r in body] == [(t, True) for t in TYPED] + [("https://x.test", False)]
    assert {r[1][:2] for r in body} == {("n", "-1500"), ("n", "3")}
    book = zipfile.ZipFile(xlsx_file([["https://x.test"]], "s"))
    assert not any(name.endswith(".rels") and "hyperlink" in book.read(name).decode() for name in book.namelist())


@pytest.fixture
def typed_by_people(clerk, certified):
    """A sale whose item, refund reference and refund operator were typed as formulas."""
    certified.name = "@Ginza"
    certified.save()
    sale = finalize(clerk, DocumentFactory(customer__store=certified), [item(50_000, name=HYPERLINK)])
    customs_pass(sale)
    refund_pay(actor=clerk, sale=sale, channel="operator", reference="=1+2", operator_name="+SUM(1,1)")
    return sale


@pytest.mark.django_db
@pytest.mark.parametrize("export", ["sales-ledger", "refunds", "tax-return-summary"])
def test_every_export_keeps_typed_formulas_inert_in_csv_and_xlsx(client, accountant, typed_by_people, export):
    client.force_login(accountant)
    period = {"start": "2026-11-01", "end": "2026-11-30", "encoding": "utf-8", "export": export}
    answer = client.get(reverse("reports"), {**period, "format": "csv"})
    cells = [c for row in csv_rows(b"".join(answer.streaming_content))[1:] for c in row]
    assert "'@Ginza" in cells and not any(c and c[0] in "=+@\t\r" for c in cells)
    typed = {"sales-ledger": [f"'{HYPERLINK}"], "refunds": ["'=1+2", "'+SUM(1,1)"]}.get(export, [])
    assert set(typed) <= set(cells)
    answer = client.get(reverse("reports"), {**period, "format": "xlsx"})
    sheet = xlsx_cells(b"".join(answer.streaming_content))
    assert not any(formula for row in sheet for _t, _v, formula, _q in row)
    texts = {value: quoted for row in sheet for kind, value, _f, quoted in row if kind != "n"}
    assert texts["@Ginza"] and all(texts[t[1:]] for t in typed)
