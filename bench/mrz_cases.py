"""The passport-capture cases real documents bring, rendered from the synthetic generator and
reported per kind: whole-page scans with a small MRZ strip, photos turned 20°–45° and by quarter
turns, two cards side by side, pages too small to support a name, a red three-line header above
the MRZ, a page's edge by the MRZ on a dark table, TD1 and TD2 cards, visas, ICAO's specimen
state UTO, and images with no MRZ (which must be refused). Every identity is made up.

    python bench/mrz_cases.py [--count 10]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mrz_synth import OCRB, VIZ_FONT, degrade, identity, render, td1_lines, td2_lines, td3_lines  # noqa: E402

TODAY = date(2026, 11, 21)


def _jpeg(page: Image.Image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    page.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def whole_page(lines, rng):
    """An A4 scan at 300 dpi: the passport page a small part of it."""
    page = Image.new("RGB", (2480, 3508), (250, 250, 248))
    passport = render(lines, rng).resize((1000 * 11 // 10, 700 * 11 // 10))
    page.paste(passport, (rng.randrange(100, 1300), rng.randrange(200, 2600)))
    return page


def big_photo(lines, rng):
    """A 4,000 × 3,000 phone photo, the page filling part of it, slightly turned."""
    table = Image.new("RGB", (4000, 3000), tuple(rng.randrange(70, 130) for _ in range(3)))
    page = render(lines, rng).resize((2600, 1820), Image.Resampling.BICUBIC)
    page = page.rotate(rng.uniform(-6, 6), expand=True, fillcolor=(100, 100, 100), resample=Image.Resampling.BICUBIC)
    table.paste(page, (rng.randrange(0, 4000 - page.width), rng.randrange(0, 3000 - page.height)))
    return table


def turned(lines, rng, angle=None):
    page = render(lines, rng)
    angle = angle if angle is not None else rng.choice([-1, 1]) * rng.uniform(18, 45)
    return page.rotate(angle, expand=True, fillcolor=(90, 90, 95), resample=Image.Resampling.BICUBIC)


def photo_of_print(lines, rng):
    """A phone photo of a printed page: perspective, uneven light, blur, noise, then turned."""
    page = degrade(render(lines, rng), "hard", rng)
    return page.rotate(
        rng.choice([-1, 1]) * rng.uniform(12, 30),
        expand=True,
        fillcolor=(80, 80, 80),
        resample=Image.Resampling.BICUBIC,
    )


def quarter_turned(lines, rng):
    return turned(lines, rng, rng.choice([90, 180, 270]))


def two_cards(lines, rng):
    """Two ID cards side by side, the MRZ under half the image's width."""
    other = _other_card(lines)
    table = Image.new("RGB", (1900, 700), (110, 100, 90))
    table.paste(render(lines, rng, card=True), (60, 80))
    table.paste(render(other, rng, card=True), (980, 80))
    return table


def _other_card(lines: list[str]) -> list[str]:
    return td1_lines(identity(random.Random(lines[0]), 1))


def tiny(lines, rng):
    """A passport page of about 270 × 190 px: too small to support a name."""
    return render(lines, rng).resize((270, 189), Image.Resampling.LANCZOS)


def red_header(lines, rng):
    """A clean scan with a three-line red header of long text above the MRZ."""
    page = render(lines, rng)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(OCRB, 26)
    for i in range(3):
        text = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ ") for _ in range(44))
        draw.text((40, 420 + i * 36), text, fill=(200, 30, 30), font=font)
    return page


def busy_background(lines, rng):
    """Security print under the MRZ (guilloche arcs printed with the page, the black MRZ over
    them) and a glare spot from a lamp: what a real page puts around its MRZ."""
    from PIL import ImageChops, ImageFilter

    page = render(lines, rng)
    pattern = Image.new("RGB", page.size, (255, 255, 255))
    draw = ImageDraw.Draw(pattern)
    for _ in range(160):
        x, y = rng.randrange(page.width), rng.randrange(page.height // 2, page.height)
        draw.arc(
            (x - 90, y - 40, x + 90, y + 40),
            rng.randrange(360),
            rng.randrange(360),
            fill=(165 + rng.randrange(40), 165 + rng.randrange(40), 200),
            width=2,
        )
    page = ImageChops.darker(page, pattern)
    glare = Image.new("L", page.size, 0)
    ImageDraw.Draw(glare).ellipse((rng.randrange(200, 700), 540, rng.randrange(750, 950), 680), fill=90)
    white = Image.new("RGB", page.size, (255, 255, 255))
    return Image.composite(white, page, glare.filter(ImageFilter.GaussianBlur(40)))


def edge_by_the_mrz(lines, rng):
    """A page trimmed close to its MRZ on a dark table: the page's edge a few pixels from the
    first character, where an OCR reads it as one more."""
    import numpy as np

    page = render(lines, rng)
    ink = np.asarray(page.convert("L"))[page.height * 3 // 4 :] < 110
    start = int(np.flatnonzero(ink.any(axis=0))[0])
    page = page.crop((max(0, start - rng.randrange(3, 12)), 0, page.width, page.height))
    table = Image.new("RGB", (page.width + 160, page.height + 160), tuple(rng.randrange(25, 70) for _ in range(3)))
    table.paste(page, (80, 80))
    table = table.rotate(rng.uniform(-3, 3), fillcolor=table.getpixel((0, 0)), resample=Image.Resampling.BICUBIC)
    return degrade(table, "mild", rng)


def no_mrz(lines, rng):
    """A page with text but no MRZ: must be refused."""
    page = Image.new("RGB", (1000, 700), (240, 238, 230))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(VIZ_FONT, 24)
    for i in range(12):
        draw.text(
            (40, 40 + i * 50),
            " ".join(rng.choice(["TAX", "FREE", "SHOP", "RECEIPT", "TOKYO", "2026"]) for _ in range(8)),
            fill=(30, 30, 30),
            font=font,
        )
    return page


def plain(lines, rng):
    return render(lines, rng, card=len(lines) == 3 or len(lines[0]) == 36)


KINDS = {
    "whole page": ("TD3", whole_page),
    "4000 px photo": ("TD3", big_photo),
    "turned 18-45°": ("TD3", turned),
    "quarter turns": ("TD3", quarter_turned),
    "photo of a print": ("TD3", photo_of_print),
    "two cards": ("TD1", two_cards),
    "tiny page": ("TD3", tiny),
    "red header": ("TD3", red_header),
    "TD1 card": ("TD1", plain),
    "TD2 card": ("TD2", plain),
    "visa": ("MRV", plain),
    "visa MRV-B": ("MRVB", plain),
    "UTO specimen": ("UTO", plain),
    "busy background": ("TD3", busy_background),
    "edge by the MRZ": ("TD3", edge_by_the_mrz),
    "no MRZ": ("TD3", no_mrz),
}


def cases(kind: str, count: int, seed: int = 15):
    rng = random.Random(f"{seed}:{kind}")
    layout, make = KINDS[kind]
    for index in range(count):
        person = identity(rng, index + 1)  # never one of the O/0-confusable numbers: each kind tests its own thing
        if layout == "UTO":
            person.update(issuer="UTO", nationality="UTO")
        lines = {"TD1": td1_lines, "TD2": td2_lines, "MRVB": td2_lines}.get(layout, td3_lines)(person)
        if layout == "MRV":
            lines = ["V" + lines[0][1:], lines[1][:43] + "<"]
        if layout == "MRVB":  # a visa carries no composite check digit: its place holds optional data
            lines = ["V" + lines[0][1:], lines[1][:35] + "<"]
        yield lines, _jpeg(make(lines, rng))


def evaluate(kind: str, count: int) -> dict:
    from bench.mrz_dev import cpu_seconds, percentile
    from sales.capture.mrz.reader import read

    exact = accepted = wrong = refused = 0  # "no MRZ": right when refused
    times, cpu = [], []
    for lines, image in cases(kind, count):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        result, _ms = read(image, TODAY)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((cpu_seconds() - cpu_started) * 1000)
        right = result.mrz == lines or kind == "two cards" and result.mrz == _other_card(lines)  # either is read
        exact += right or kind == "no MRZ" and result.status == "not_found"
        accepted += result.status == "accepted"
        wrong += result.status == "accepted" and not right
        refused += result.status == "not_found"
    times.sort()
    return {
        "kind": kind,
        "n": count,
        "exact": exact,
        "accepted": accepted,
        "false_accepts": wrong,
        "not_found": refused,
        "p50_ms": round(statistics.median(times)),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)]),
        "cpu_p50_ms": round(statistics.median(cpu)),
        "cpu_p95_ms": round(percentile(cpu, 0.95)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10, help="images per kind")
    parser.add_argument("--kind", action="append", choices=list(KINDS), help="only these kinds")
    args = parser.parse_args()
    print(f"per kind of picture ({args.count} each, bench/mrz_cases.py), load {os.getloadavg()[0]:.1f}")
    print(
        f"{'kind':<16}{'n':>4}{'exact':>7}{'accepted':>10}{'false acc.':>11}{'not found':>10}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'CPU p50':>9}{'CPU p95':>9}"
    )
    for kind in args.kind or KINDS:
        r = evaluate(kind, args.count)
        print(
            f"{kind:<16}{r['n']:>4}{r['exact']:>7}{r['accepted']:>10}{r['false_accepts']:>11}{r['not_found']:>10}"
            f"{r['p50_ms']:>8}{r['p95_ms']:>8}{r['cpu_p50_ms']:>9}{r['cpu_p95_ms']:>9}",
            flush=True,
        )


if __name__ == "__main__":
    main()
