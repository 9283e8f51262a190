"""Deterministic synthetic passports and ID cards for the MRZ benchmark and tests.

Pages are drawn with Pillow: a textured background, a photo box, visual-zone text and the MRZ in
OCR-B (Debian fonts-ocr-b), then degraded per level. Every identity is made up."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sales.capture.mrz.parse import check_digit

OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
VIZ_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LEVELS = ("clean", "mild", "hard", "small_dark")
ISSUERS = [
    "USA",
    "GBR",
    "FRA",
    "D<<",
    "CHN",
    "KOR",
    "THA",
    "TWN",
    "AUS",
    "CAN",
    "ITA",
    "ESP",
    "NLD",
    "VNM",
    "PHL",
    "IDN",
    "MYS",
    "SGP",
    "IND",
    "BRA",
    "MEX",
    "NZL",
    "CHE",
    "SWE",
    "HKG",
]
SURNAMES = [
    "SMITH",
    "GARCIA",
    "MUELLER",
    "NGUYEN",
    "WANG",
    "KIM",
    "OCONNOR",
    "VAN DER BERG",
    "SOMBOON",
    "DUBOIS",
    "ROSSI",
    "SILVA",
    "DE LA CRUZ",
    "O",
    "BJOERKLUND",
    "ABDULRAHMAN ALHASHEMI",
    "LEE",
    "TANAKA",
]
GIVEN = [
    "ANNA MARIA",
    "JOHN",
    "WEI",
    "MIN JUN",
    "SOMCHAI",
    "JEAN PIERRE",
    "LUCIA",
    "OLIVER JAMES",
    "SIOBHAN",
    "MUHAMMAD ALI HASSAN",
    "XIU YING",
    "LI",
    "MARIA DEL CARMEN ISABEL",
    "KAI",
]
CONFUSABLE_NUMBERS = ["O0I1B8S5", "0O1IS58B", "B8O0Z2S5", "I1I1O0O0", "5S5S8B8B", "Q0D0O0O0"]


@dataclass
class Sample:
    kind: str
    lines: list[str]
    fields: dict
    image: bytes
    level: str


def _field(text: str, length: int) -> str:
    return (text.replace(" ", "<") + "<" * length)[:length]


def _names(surname: str, given: str, length: int) -> str:
    return _field(f"{surname}<<{given}", length)


def identity(rng: random.Random, index: int) -> dict:
    number = (
        rng.choice(CONFUSABLE_NUMBERS)
        if index % 5 == 0
        else "".join(rng.choice("ABCDEFGHJKLMNPRTUVWXYZ0123456789") for _ in range(rng.choice([8, 9])))
    )
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 62))
    expiry = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 365 * 9))
    personal = "" if index % 2 else "".join(rng.choice("0123456789ABC") for _ in range(rng.randrange(5, 14)))
    return {
        "issuer": rng.choice(ISSUERS),
        "nationality": rng.choice(ISSUERS),
        "surname": rng.choice(SURNAMES),
        "given": rng.choice(GIVEN),
        "number": number,
        "birth": birth,
        "expiry": expiry,
        "sex": rng.choice("MFX"),
        "personal": personal,
    }


def td3_lines(p: dict, empty_check: str = "<") -> list[str]:
    sex = "<" if p["sex"] == "X" else p["sex"]
    number = _field(p["number"], 9)
    birth, expiry = p["birth"].strftime("%y%m%d"), p["expiry"].strftime("%y%m%d")
    personal = _field(p["personal"], 14)
    personal_check = check_digit(personal) if p["personal"] else empty_check
    second = (
        number
        + check_digit(number)
        + p["nationality"]
        + birth
        + check_digit(birth)
        + sex
        + expiry
        + check_digit(expiry)
        + personal
        + personal_check
    )
    composite = check_digit(second[0:10] + second[13:20] + second[21:43])
    return ["P<" + p["issuer"] + _names(p["surname"], p["given"], 39), second + composite]


def td1_lines(p: dict) -> list[str]:
    sex = "<" if p["sex"] == "X" else p["sex"]
    number = _field(p["number"], 9)
    birth, expiry = p["birth"].strftime("%y%m%d"), p["expiry"].strftime("%y%m%d")
    first = "I<" + p["issuer"] + number + check_digit(number) + _field(p["personal"], 15)
    second = birth + check_digit(birth) + sex + expiry + check_digit(expiry) + p["nationality"] + "<" * 11
    composite = check_digit(first[5:30] + second[0:7] + second[8:15] + second[18:29])
    return [first, second + composite, _names(p["surname"], p["given"], 30)]


def td2_lines(p: dict) -> list[str]:
    sex = "<" if p["sex"] == "X" else p["sex"]
    number = _field(p["number"], 9)
    birth, expiry = p["birth"].strftime("%y%m%d"), p["expiry"].strftime("%y%m%d")
    second = (
        number
        + check_digit(number)
        + p["nationality"]
        + birth
        + check_digit(birth)
        + sex
        + expiry
        + check_digit(expiry)
        + _field(p["personal"], 7)
    )
    composite = check_digit(second[0:10] + second[13:20] + second[21:35])
    return ["I<" + p["issuer"] + _names(p["surname"], p["given"], 31), second + composite]


def expected_fields(p: dict) -> dict:
    return {
        "document_number": p["number"],
        "issuer": p["issuer"].replace("<", ""),
        "nationality": p["nationality"].replace("<", ""),
        "surname": p["surname"],
        "given_names": p["given"],
        "birth_date": p["birth"].isoformat(),
        "sex": p["sex"],
        "expiry_date": p["expiry"].isoformat(),
    }


def render(lines: list[str], rng: random.Random, card: bool = False) -> Image.Image:
    width = 1000 if not card else 860
    height = 700 if not card else 540
    page = Image.new("RGB", (width, height), (236, 232, 222))
    draw = ImageDraw.Draw(page)
    for _ in range(260):  # guilloche-like background lines
        x, y = rng.randrange(width), rng.randrange(height)
        draw.arc(
            (x - 60, y - 60, x + 60, y + 60),
            rng.randrange(360),
            rng.randrange(360),
            fill=(200 + rng.randrange(30), 205 + rng.randrange(30), 215 + rng.randrange(30)),
        )
    draw.rectangle((40, 80, 260 if not card else 220, 380 if not card else 320), fill=(170, 170, 175))
    viz = ImageFont.truetype(VIZ_FONT, 22) if Path(VIZ_FONT).exists() else ImageFont.load_default(22)
    for i, label in enumerate(("PASSPORT / PASSEPORT", "Surname", "Given names", "Nationality", "Date of birth")):
        draw.text((300 if not card else 250, 70 + i * 55), label, fill=(60, 60, 90), font=viz)
    size = 40
    while ImageFont.truetype(OCRB, size).getlength(lines[0]) > width - 80:
        size -= 1
    font = ImageFont.truetype(OCRB, size)
    line_gap = int(size * 1.45)
    top = height - 40 - line_gap * len(lines)
    for i, line in enumerate(lines):
        draw.text((40, top + i * line_gap), line, fill=(25, 25, 30), font=font)
    return page


def on_table(page: Image.Image, rng: random.Random) -> Image.Image:
    """A photo shows the page on a table, with room around it."""
    margin_x, margin_y = page.width // 8, page.height // 8
    tone = tuple(rng.randrange(60, 120) for _ in range(3))
    table = Image.new("RGB", (page.width + 2 * margin_x, page.height + 2 * margin_y), tone)
    table.paste(page, (margin_x + rng.randrange(-20, 20), margin_y + rng.randrange(-20, 20)))
    return table


def degrade(page: Image.Image, level: str, rng: random.Random) -> Image.Image:
    if level == "clean":
        return page
    page = on_table(page, rng)
    if level == "mild":
        page = page.rotate(rng.uniform(-2.5, 2.5), expand=True, fillcolor=(80, 80, 80), resample=Image.BICUBIC)
        page = page.filter(ImageFilter.GaussianBlur(0.8))
        return _noise(page, rng, 6)
    if level == "hard":
        page = _gradient(page, rng)
        page = _perspective(page, rng)
        page = page.rotate(rng.uniform(-8, 8), expand=True, fillcolor=(70, 70, 70), resample=Image.BICUBIC)
        page = page.filter(ImageFilter.GaussianBlur(1.3))
        return _noise(page, rng, 10)
    small = page.resize((page.width * 45 // 100, page.height * 45 // 100), Image.LANCZOS)
    small = small.point(lambda v: int(v * 0.45))
    return _noise(small.filter(ImageFilter.GaussianBlur(0.6)), rng, 6)


def _noise(page: Image.Image, rng: random.Random, amount: int) -> Image.Image:
    import numpy as np

    array = np.asarray(page, dtype=np.int16)
    noise = np.random.default_rng(rng.randrange(2**32)).integers(-amount, amount + 1, array.shape)
    return Image.fromarray(np.clip(array + noise, 0, 255).astype("uint8"))


def _gradient(page: Image.Image, rng: random.Random) -> Image.Image:
    import numpy as np

    array = np.asarray(page, dtype=np.float32)
    ramp = np.linspace(1.0, rng.uniform(0.45, 0.7), page.width)[None, :, None]
    return Image.fromarray(np.clip(array * ramp, 0, 255).astype("uint8"))


def _perspective(page: Image.Image, rng: random.Random) -> Image.Image:
    w, h = page.size
    d = lambda: rng.uniform(0, 0.06)  # noqa: E731
    quad = (w * d(), h * d(), w * d(), h * (1 - d()), w * (1 - d()), h * (1 - d()), w * (1 - d()), h * d())
    return page.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(70, 70, 70))


def encode(page: Image.Image, level: str, rng: random.Random) -> bytes:
    out = io.BytesIO()
    if level == "clean":
        page.save(out, "PNG")
    else:
        page.save(out, "JPEG", quality={"mild": 85, "hard": 60}.get(level, 75))
    return out.getvalue()


def samples(level: str, count: int, seed: int = 2026):
    rng = random.Random(f"{seed}:{level}")
    for index in range(count):
        p = identity(rng, index)
        kind = "TD3" if index % 10 < 8 else ("TD1" if index % 10 == 8 else "TD2")
        lines = {"TD3": td3_lines(p, "0" if index % 4 == 1 else "<"), "TD1": td1_lines(p), "TD2": td2_lines(p)}[kind]
        page = degrade(render(lines, rng, card=kind != "TD3"), level, rng)
        yield Sample(kind, lines, expected_fields(p), encode(page, level, rng), level)
