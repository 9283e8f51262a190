"""Passport capture: the MRZ parser, the reader on real images with real Tesseract, the endpoint."""

import io
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient

from bench.mrz_synth import identity, render, td1_lines, td2_lines, td3_lines
from sales.capture.models import PassportCapture
from sales.capture.mrz.parse import check_digit, parse_text
from sales.capture.services import captures_purge

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 21)
PERSON = {"issuer": "USA", "nationality": "USA", "surname": "SAMPLE", "given": "ALEX JO", "number": "X12345678",
          "birth": date(1990, 2, 3), "expiry": date(2031, 5, 6), "sex": "F", "personal": ""}


def test_check_digits_follow_icao_9303():
    assert check_digit("L898902C3") == "6" and check_digit("740812") == "2" and check_digit("<<<<<") == "0"


def test_a_td3_passport_is_parsed_and_accepted():
    result = parse_text("\n".join(td3_lines(PERSON)), TODAY)
    assert (result.status, result.document_type) == ("accepted", "TD3")
    assert result.fields | {} == result.fields
    expected = {"document_number": "X12345678", "issuer": "USA", "nationality": "USA", "surname": "SAMPLE",
                "given_names": "ALEX JO", "birth_date": "1990-02-03", "sex": "F", "expiry_date": "2031-05-06"}
    assert {k: result.fields[k] for k in expected} == expected


@pytest.mark.parametrize("empty_check", ["<", "0"])
def test_an_empty_personal_number_may_carry_lt_or_zero_as_check_digit(empty_check):
    assert parse_text("\n".join(td3_lines(PERSON, empty_check)), TODAY).status == "accepted"


def test_td1_and_td2_cards_and_visas_are_recognised():
    assert parse_text("\n".join(td1_lines(PERSON)), TODAY).document_type == "TD1"
    assert parse_text("\n".join(td1_lines(PERSON)), TODAY).status == "accepted"
    assert parse_text("\n".join(td2_lines(PERSON)), TODAY).status == "accepted"
    visa = td3_lines(PERSON)
    visa[0] = "V" + visa[0][1:]
    assert parse_text("\n".join(visa), TODAY).document_type == "MRV-A"


def test_a_wrong_check_digit_needs_review_with_the_reason():
    first, second = td3_lines(PERSON)
    broken = second[:19] + str((int(second[19]) + 1) % 10) + second[20:]
    result = parse_text(f"{first}\n{broken}", TODAY)
    assert result.status == "needs_review" and "birth_date: check failed" in result.reasons


def test_letters_in_digit_positions_are_corrected_by_position():
    first, second = td3_lines(PERSON)
    misread = second[:13] + second[13:19].replace("0", "O").replace("1", "I") + second[19:]
    result = parse_text(f"{first}\n{misread}", TODAY)
    assert result.status == "accepted" and result.fields["birth_date"] == "1990-02-03"
    assert result.mrz[1] == second


def test_a_confusable_in_the_document_number_is_resolved_by_its_check_digit():
    first, second = td3_lines(PERSON)
    misread = second.replace("X12345678", "X1234S678", 1)
    result = parse_text(f"{first}\n{misread}", TODAY)
    assert result.status == "accepted" and result.fields["document_number"] == "X12345678"


def test_readings_the_check_digit_cannot_separate_are_not_accepted():
    person = dict(PERSON, number="I1I1O0O0")
    first, second = td3_lines(person)
    misread = second.replace("I1I1O0O0", "I1I10000", 1)  # two O→0 swaps cancel out in the check digit
    result = parse_text(f"{first}\n{misread}", TODAY)
    assert result.status == "needs_review" and any("readings agree" in r for r in result.reasons)


def test_issuer_and_nationality_must_be_known_codes():
    assert parse_text("\n".join(td3_lines(dict(PERSON, issuer="D<<", nationality="D<<"))), TODAY).status == "accepted"
    bad = parse_text("\n".join(td3_lines(dict(PERSON, nationality="ZZZ"))), TODAY)
    assert bad.status == "needs_review" and "nationality: check failed" in bad.reasons


def test_scanner_text_on_one_line_or_with_noise_is_understood():
    lines = td3_lines(PERSON)
    assert parse_text("".join(lines), TODAY).status == "accepted"
    assert parse_text(f"\r\n  {lines[0]}\r\n{lines[1]}  \r\n", TODAY).status == "accepted"
    assert parse_text("hello", TODAY).status == "not_found"


def page(lines, rotate=0, card=False, fmt="PNG", exif_orientation=None) -> bytes:
    image = render(lines, random.Random(7), card=card)
    if rotate:
        image = image.rotate(rotate, expand=True)
    out = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, "JPEG", quality=92, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


@pytest.fixture
def api(clerk):
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def post_image(api, data: bytes, name="passport.png", content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.post("/api/v1/captures/", {"image": SimpleUploadedFile(name, data, content_type)}, format="multipart")


def test_a_photo_is_read_and_accepted(api):
    response = post_image(api, page(td3_lines(PERSON)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"status", "document_type", "mrz", "fields", "checks", "reasons", "elapsed_ms"} <= set(body)
    assert body["status"] == "accepted" and body["fields"]["document_number"] == "X12345678"
    assert body["fields"]["birth_date"] == "1990-02-03" and body["mrz"] == td3_lines(PERSON)
    assert PassportCapture.objects.count() == 0  # not kept by default


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_portrait_and_upside_down_photos_are_read(api, rotate):
    body = post_image(api, page(td3_lines(PERSON), rotate=rotate)).json()
    assert body["status"] == "accepted" and body["fields"]["surname"] == "SAMPLE"


def test_the_exif_orientation_of_a_camera_photo_is_applied(api):
    # Stored turned 90° clockwise, with the tag that says "rotate back" (6): upright after transpose.
    data = page(td3_lines(PERSON), rotate=-90, exif_orientation=6)
    body = post_image(api, data, "photo.jpg", "image/jpeg").json()
    assert body["status"] == "accepted"


def test_an_id_card_is_read(api):
    person = dict(PERSON, number="AB1234567")
    body = post_image(api, page(td1_lines(person), card=True)).json()
    assert (body["status"], body["document_type"]) == ("accepted", "TD1")


def test_a_page_without_mrz_is_not_found(api):
    blank = io.BytesIO()
    Image.new("RGB", (800, 600), (230, 230, 230)).save(blank, "PNG")
    body = post_image(api, blank.getvalue()).json()
    assert body["status"] == "not_found"


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4 not an image", "not an image"),
    (page(td3_lines(PERSON), fmt="PNG")[:3000], "damaged"),
    (b"", "image"),
])
def test_bad_files_get_400_with_a_clear_message(api, data, message):
    response = post_image(api, data)
    assert response.status_code == 400 and message in str(response.json()).lower()
    assert PassportCapture.objects.count() == 0


def test_too_many_pixels_is_refused_before_decoding(api):
    out = io.BytesIO()
    Image.new("1", (9000, 5000)).save(out, "PNG")  # 45 Mpx in a few kB
    response = post_image(api, out.getvalue())
    assert response.status_code == 400 and "pixels" in str(response.json())


def test_a_file_over_the_size_limit_gets_413(api, settings):
    settings.CAPTURE_MAX_BYTES = 10_000
    assert post_image(api, page(td3_lines(PERSON))).status_code == 413


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
    data = page(td3_lines(PERSON))
    body = post_image(api, data).json()
    kept = PassportCapture.objects.get(pk=body["capture_id"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT image FROM sales_passportcapture WHERE id = %s", [kept.pk])
        stored = bytes(cursor.fetchone()[0])
    assert data[:64] not in stored and b"IHDR" not in stored
    from django.utils import timezone

    assert captures_purge(timezone.now() + timedelta(days=2)) == 0
    assert captures_purge(timezone.now() + timedelta(days=4)) == 1


def test_the_schema_documents_the_capture_endpoint(api):
    assert "/api/v1/captures/" in api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()


def test_generated_identities_round_trip():
    rng = random.Random(1)
    for index in range(50):
        person = identity(rng, index)
        assert parse_text("\n".join(td3_lines(person)), TODAY).fields["surname"] == person["surname"]


def test_ocr_b_zero_stands_taller_than_the_letter_o():
    from sales.capture.mrz import reader

    person = dict(PERSON, number="O0O0O0O0A")
    lines = td3_lines(person)
    image = reader.load_image(page(lines))
    crop = next(reader._crops(reader._prepare(image), image))
    heights = reader.o_zero_heights(crop, lines[1], 1, 2)
    assert all(heights[i] <= 0.945 for i in (0, 2, 4, 6)) and all(heights[i] >= 0.985 for i in (1, 3, 5, 7))
