"""Passport capture: the MRZ parser, the reader on real images with real Tesseract, the endpoint."""

import random
from datetime import date

import pytest

from bench.mrz_synth import identity, td3_lines
from sales.capture.mrz.parse import parse_text
from tests.factories import MRZ_PERSON as PERSON
from tests.factories import passport_page

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 21)


def test_generated_identities_round_trip():
    rng = random.Random(1)
    for index in range(50):
        person = identity(rng, index)
        assert parse_text("\n".join(td3_lines(person)), TODAY).fields["surname"] == person["surname"]


def test_ocr_b_zero_stands_taller_than_the_letter_o():
    from sales.capture.mrz import reader

    person = dict(PERSON, number="O0O0O0O0A")
    lines = td3_lines(person)
    image = reader.load_image(passport_page(lines))
    crop, _scale = next(reader._crops(reader._prepare(image), image))
    heights = reader.o_zero_heights(crop, lines[1], 1, 2)
    assert all(heights[i] <= 0.945 for i in (0, 2, 4, 6)) and all(heights[i] >= 0.985 for i in (1, 3, 5, 7))
