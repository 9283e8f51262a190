"""Passport capture: the MRZ parser, the reader on real images with real Tesseract, the endpoint."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient

from bench.mrz_synth import td1_lines, td3_lines
from sales.capture.models import PassportCapture
from sales.capture.services import captures_purge
from taxfree.models import AuditEvent
from tests.factories import MRZ_PERSON as PERSON
from tests.factories import passport_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def post_image(api, data: bytes, name="passport.png", content_type="image/png", language="en"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = {"image": SimpleUploadedFile(name, data, content_type)}
    return api.post("/api/v1/captures/", upload, format="multipart", HTTP_ACCEPT_LANGUAGE=language)


def tiny_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_a_photo_is_read_and_accepted(api):
    response = post_image(api, passport_page(td3_lines(PERSON)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"status", "document_type", "mrz", "fields", "checks", "reasons", "elapsed_ms"} <= set(body)
    assert body["status"] == "accepted" and body["fields"]["document_number"] == "X12345678"
    assert body["fields"]["birth_date"] == "1990-02-03" and body["mrz"] == td3_lines(PERSON)
    assert PassportCapture.objects.count() == 0  # not kept by default


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_portrait_and_upside_down_photos_are_read(api, rotate):
    body = post_image(api, passport_page(td3_lines(PERSON), rotate=rotate)).json()
    assert body["status"] == "accepted" and body["fields"]["surname"] == "SAMPLE"


def test_the_exif_orientation_of_a_camera_photo_is_applied(api):
    # Stored turned 90° clockwise, with the tag that says "rotate back" (6): upright after transpose.
    data = passport_page(td3_lines(PERSON), rotate=-90, exif_orientation=6)
    body = post_image(api, data, "photo.jpg", "image/jpeg").json()
    assert body["status"] == "accepted"


def test_an_id_card_is_read(api):
    person = dict(PERSON, number="AB1234567")
    body = post_image(api, passport_page(td1_lines(person), card=True)).json()
    assert (body["status"], body["document_type"]) == ("accepted", "TD1")


def test_a_page_without_mrz_is_not_found(api):
    blank = io.BytesIO()
    Image.new("RGB", (800, 600), (230, 230, 230)).save(blank, "PNG")
    body = post_image(api, blank.getvalue()).json()
    assert body["status"] == "not_found"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4 not an image", "not an image"),
        (passport_page(td3_lines(PERSON), fmt="PNG")[:3000], "damaged"),
        (b"", "image"),
    ],
)
def test_bad_files_get_400_with_a_clear_message(api, data, message):
    response = post_image(api, data)
    assert response.status_code == 400 and message in str(response.json()).lower()
    assert PassportCapture.objects.count() == 0


def test_too_many_pixels_is_refused_before_decoding(api):
    out = io.BytesIO()
    Image.new("1", (9000, 5000)).save(out, "PNG")  # 45 Mpx in a few kB
    response = post_image(api, out.getvalue())
    assert response.status_code == 400 and "too large (9000 × 5000 pixels; at most 24" in str(response.json())


def test_the_decompression_bomb_of_the_review_is_refused_from_its_header(api):
    out = io.BytesIO()
    Image.new("L", (6300, 6300), 255).save(out, "PNG")  # ~40 Mpx in about 100 kB
    response = post_image(api, out.getvalue())
    assert response.status_code == 400 and "6300 × 6300" in str(response.json())


def test_a_large_photo_is_decoded_at_a_working_size():
    from sales.capture.mrz.reader import WORK_PIXELS, load_image

    out = io.BytesIO()
    Image.new("RGB", (5600, 4000), "white").save(out, "JPEG")  # 22.4 Mpx, under the budget
    image = load_image(out.getvalue())
    assert image.width * image.height <= WORK_PIXELS and image.width >= 2000


def test_a_file_over_the_size_limit_gets_413(api, settings):
    settings.CAPTURE_MAX_BYTES = 10_000
    assert post_image(api, passport_page(td3_lines(PERSON))).status_code == 413


def test_scanner_text_goes_through_the_same_endpoint(api):
    response = api.post("/api/v1/captures/", {"text": "\n".join(td3_lines(PERSON))}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert api.post("/api/v1/captures/", {}, format="json").status_code == 400


def test_only_sellers_may_capture(accountant):
    client = APIClient()
    assert client.post("/api/v1/captures/", {"text": "x"}, format="json").status_code in (401, 403)
    client.force_authenticate(accountant)
    assert client.post("/api/v1/captures/", {"text": "x"}, format="json").status_code == 403


def test_a_kept_image_is_encrypted_and_purged_after_the_configured_days(api, settings):
    settings.CAPTURE_KEEP_DAYS = 3
    data = passport_page(td3_lines(PERSON))
    body = post_image(api, data).json()
    kept = PassportCapture.objects.get(pk=body["capture_id"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT image FROM sales_passportcapture WHERE id = %s", [kept.pk])
        stored = bytes(cursor.fetchone()[0])
    assert data[:64] not in stored and b"IHDR" not in stored
    from django.utils import timezone

    assert captures_purge(timezone.now() + timedelta(days=2)) == 0
    assert not AuditEvent.objects.filter(action="captures_purge").exists()
    assert captures_purge(timezone.now() + timedelta(days=4)) == 1
    purge = AuditEvent.objects.get(action="captures_purge")
    assert (purge.object_type, purge.object_id, purge.summary) == ("sales.PassportCapture", "", "1 images")


def test_the_schema_documents_the_capture_endpoint(api):
    assert "/api/v1/captures/" in api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()


def test_an_image_beyond_pillows_own_guard_is_still_too_large_not_not_an_image(api):
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 Mpx: Pillow itself refuses to open it
    response = post_image(api, out.getvalue())
    assert response.status_code == 400 and "too large" in str(response.json())


def test_staff_are_told_in_plain_words_which_characters_to_check(api):
    from bench.mrz_synth import td3_lines
    from tests.factories import MRZ_PERSON

    first, second = td3_lines(dict(MRZ_PERSON, number="I1I1O0O0"))
    text = f"{first}\n{second.replace('I1I1O0O0', 'I1I10000', 1)}"
    body = api.post("/api/v1/captures/", {"text": text}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == "needs_review" and body["doubts"]["document_number"][0] == [5, "0O"]
    assert body["notes"]["document_number"].startswith("Compare these characters with the document")
    assert "characters 5, 7, 8: the digit 0 or the letter O" in body["notes"]["document_number"]


@pytest.mark.parametrize(
    "width, height, message",
    [
        (10, 10_000, "too small to show a document (10 × 10000 pixels; each side needs at least 32 pixels)"),
        (1_500, 1, "too small to show a document (1500 × 1 pixels; each side needs at least 32 pixels)"),
        (1, 100, "too small to show a document (1 × 100 pixels"),
        (23_000_000, 1, "too small to show a document (23000000 × 1 pixels"),
        (600, 10_000, "too narrow to be a photo of a document (600 × 10000 pixels; one side may be at most 16 times"),
    ],
)
def test_an_image_no_document_photo_can_be_is_refused_before_it_is_scaled(api, width, height, message):
    # Issue 23: 298 bytes of 10 × 10,000 px were scaled to 1,000 px wide and took the host's memory.
    data = tiny_png(width, height)
    assert len(data) < 3_000
    response = post_image(api, data)
    assert response.status_code == 400 and message in response.json()["errors"]["image"][0]
    assert PassportCapture.objects.count() == 0


def test_the_refusal_is_in_the_users_language(api):
    response = post_image(api, tiny_png(600, 10_000), language="ja")
    assert response.status_code == 400 and "細長すぎ" in response.json()["errors"]["image"][0]
    response = post_image(api, tiny_png(1, 100), language="ja")
    assert response.status_code == 400 and "小さすぎ" in response.json()["errors"]["image"][0]


def test_a_tall_strip_or_a_wide_scan_within_the_bounds_is_still_read(api):
    assert post_image(api, tiny_png(32, 512)).json()["status"] == "not_found"
    body = post_image(api, passport_page(td3_lines(PERSON))).json()
    assert body["status"] == "accepted"


@pytest.mark.parametrize("fmt, content_type", [("BMP", "image/bmp"), ("TIFF", "image/tiff")])
def test_a_desk_scanners_bmp_or_tiff_is_read(api, fmt, content_type):
    body = post_image(api, passport_page(td3_lines(PERSON), fmt=fmt), f"scan.{fmt.lower()}", content_type).json()
    assert body["status"] == "accepted" and body["mrz"] == td3_lines(PERSON)


def test_a_16_bit_grey_tiff_is_read(api):
    import numpy as np

    page = Image.open(io.BytesIO(passport_page(td3_lines(PERSON)))).convert("L")
    wide = Image.fromarray(np.asarray(page, dtype=np.uint16) * 200 + 1000)  # a scanner's 16-bit range
    out = io.BytesIO()
    wide.save(out, "TIFF")
    body = post_image(api, out.getvalue(), "scan.tif", "image/tiff").json()
    assert body["status"] == "accepted"


def test_a_mistyped_scanner_line_is_flagged_on_the_fields_its_checks_cover_never_corrected(api):
    first, second = td3_lines(dict(PERSON, number="X4826103"))
    mistyped = second[:9] + "7" + second[10:]  # check digit 3 typed as 7: only X4BZ6103 would pass
    text = f"{first}\n{mistyped}"
    body = api.post("/api/v1/captures/", {"text": text}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == "needs_review" and body["fields"]["document_number"] == "X4826103"
    assert body["checks"]["document_number"] is False
    # the number and the composite fail: the number and both dates are coloured, in plain words
    assert {"document_number", "birth_date", "expiry_date"} <= set(body["notes"])
    assert body["notes"]["document_number"].startswith("A check digit does not match this field")
    ja = api.post("/api/v1/captures/", {"text": text}, format="json", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert "チェック" in ja["notes"]["document_number"]


def test_capture_errors_are_in_the_users_language(api):
    """Issue 25: 'Send either an image or the scanner's text.' was English on the Japanese page."""
    response = api.post("/api/v1/captures/", {}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400 and "画像かスキャナーの文字列" in str(response.json())
    response = post_image(api, b"%PDF-1.4 not an image", language="ja")
    refusal = response.json()["errors"]["image"][0]
    assert response.status_code == 400 and "画像（JPEG・PNG・WebP・BMP・TIFF）ではありません" in refusal


def test_only_sellers_are_told_why_in_their_language(accountant):
    client = APIClient()
    client.force_authenticate(accountant)
    response = client.post("/api/v1/captures/", {"text": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 403 and "店舗スタッフ" in response.json()["detail"]
