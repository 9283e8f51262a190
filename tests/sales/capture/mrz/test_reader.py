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


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


SHAPES_NO_DOCUMENT_HAS = [(10, 10_000), (1_500, 1), (1, 100), (23_000_000, 1)]


@pytest.mark.parametrize("width, height", SHAPES_NO_DOCUMENT_HAS)
def test_the_reader_refuses_shapes_no_document_photo_has(width, height):
    from sales.capture.mrz import reader

    with pytest.raises(reader.ImageError) as refused:
        reader.read(_png(width, height), TODAY)
    assert refused.value.params["width"] == width and refused.value.params["height"] == height


def test_the_crafted_images_are_refused_within_a_bounded_address_space():
    """In a child limited to 1.5 GB of address space (the suite must never run the blow-up
    unbounded): every crafted image is refused from its header, none exhausts memory."""
    import subprocess
    import sys

    script = f"""
import io, resource
from datetime import date
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
from PIL import Image
from sales.capture.mrz import reader
for width, height in {SHAPES_NO_DOCUMENT_HAS!r}:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    try:
        reader.read(out.getvalue(), date(2026, 12, 4))
        print("read", width, height)
    except reader.ImageError as refused:
        print("refused", width, height)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("\n")[:-1] == [f"refused {w} {h}" for w, h in SHAPES_NO_DOCUMENT_HAS]


def test_the_older_finders_working_copy_is_bounded_by_pixels_whatever_the_shape():
    from PIL import Image

    from sales.capture.mrz import reader

    for size in ((40, 640), (3_000, 200), (600, 9_000)):
        work = reader._prepare(Image.new("L", size, 255))
        assert work.width <= reader.WORK_WIDTH and work.width * work.height <= reader.WORK_AREA * 1.01
