"""The reader on the kinds of picture real documents bring (bench/mrz_cases.py renders them from
made-up identities), with real Tesseract: one case of each kind."""

from datetime import date

import pytest

from bench.mrz_cases import cases
from sales.capture.mrz.reader import read

TODAY = date(2026, 11, 21)


def first(kind: str):
    return next(cases(kind, 1))


@pytest.mark.parametrize("kind", ["whole page", "turned 18-45°", "quarter turns", "red header", "TD1 card"])
def test_the_mrz_is_found_and_read_wherever_and_however_it_lies(kind):
    lines, image = first(kind)
    result, _ms = read(image, TODAY)
    assert (result.status, result.mrz) == ("accepted", lines)


def test_a_name_the_picture_is_too_small_to_support_is_held_for_review():
    lines, image = first("tiny page")
    result, _ms = read(image, TODAY)
    assert result.status == "needs_review" and "name" in result.doubts
    assert any(r.startswith("name: too small") for r in result.reasons)
    assert result.fields["document_number"]  # what was read is still given, for staff to check


def test_an_unknown_state_is_read_and_named_not_reported_as_no_mrz():
    lines, image = first("UTO specimen")
    result, _ms = read(image, TODAY)
    assert result.status == "needs_review" and result.mrz == lines
    assert "issuer: unknown issuing state UTO" in result.reasons


def test_a_picture_without_mrz_is_refused():
    _lines, image = first("no MRZ")
    assert read(image, TODAY)[0].status == "not_found"
