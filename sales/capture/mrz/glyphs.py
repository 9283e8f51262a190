"""Read an MRZ band with the project's own character classifier: the lines found by their rows of
ink, each cut into its 30, 36 or 44 character cells (OCR-B is monospaced: ICAO Doc 9303 part 3
prints 10 characters per 25.4 mm, so a line is one pitch repeated), each cell classified by a
small convolutional network trained on the project's own OCR-B renders (scripts/mrz_glyphs_train.py;
the weights, glyphs.onnx, run in OpenCV's dnn module, in-process, in a few milliseconds).

Cells are cut where the column profile of ink is lowest: the pitch and the first cell's edge that
put the fewest inked columns on cell borders."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
CELL_WIDTH, CELL_HEIGHT = 24, 32
MODEL = Path(__file__).with_name("glyphs.onnx")
LENGTHS = {3: (30,), 2: (44, 36)}


@dataclass(frozen=True)
class Reading:
    """One way of reading the band: its lines, each character's probability, and the pitch."""

    lines: list[str]
    confidence: list[list[float]]
    pitch: float  # px per character in the crop

    @property
    def mean_confidence(self) -> float:
        values = [p for line in self.confidence for p in line]
        return float(np.mean(values)) if values else 0.0


@functools.lru_cache(maxsize=1)
def _network() -> cv2.dnn.Net:
    return cv2.dnn.readNetFromONNX(str(MODEL))


def available() -> bool:
    return MODEL.exists()


def flatten(crop: np.ndarray) -> np.ndarray:
    """Ink as 0–1 over the paper's own brightness (uneven light leaves even ink)."""
    size = max(3, crop.shape[0] // 3) | 1
    paper = cv2.dilate(crop, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    # The paper's light varies over many characters: blurred on a copy a few times smaller (the
    # same light, a tenth of the work of a kernel a third of the band tall).
    step = max(1, size // 12)
    small = cv2.resize(paper, None, fx=1 / step, fy=1 / step, interpolation=cv2.INTER_AREA) if step > 1 else paper
    small = cv2.GaussianBlur(small, (0, 0), size / 2 / step)
    paper = cv2.resize(small, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR) if step > 1 else small
    return np.clip(1.0 - crop.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0), 0.0, 1.0)


def text_rows(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The band's text lines as (top, bottom, left, right): runs of rows with ink across much of
    the width."""
    binary = ink > max(0.25, float(_otsu(ink)))
    profile = binary.sum(axis=1)
    on = profile > 0.08 * binary.shape[1]
    runs, start = [], None
    for y, flag in enumerate(np.append(on, False)):
        if flag and start is None:
            start = y
        elif not flag and start is not None:
            runs.append([start, y])
            start = None
    merged: list[list[int]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] <= 1:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    tallest = max((b - a for a, b in merged), default=0)
    rows = []
    for top, bottom in merged:
        if bottom - top < 0.5 * tallest:
            continue
        left, right = _extent(np.asarray(binary[top:bottom].any(axis=0)), bottom - top)
        if right - left > 10 * (bottom - top):
            rows.append((top, bottom, left, right))
    return rows


def _extent(columns: np.ndarray, height: int) -> tuple[int, int]:
    """The longest stretch of inked columns whose gaps are each under a character's height."""
    xs = np.flatnonzero(columns)
    if not len(xs):
        return 0, 0
    breaks = np.flatnonzero(np.diff(xs) > height) + 1
    pieces = np.split(xs, breaks)
    best = max(pieces, key=lambda p: p[-1] - p[0])
    return int(best[0]), int(best[-1]) + 1


def _otsu(values: np.ndarray) -> float:
    histogram, edges = np.histogram(values, bins=64, range=(0.0, 1.0))
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * edges[:-1])
    total, total_mean = weights[-1], means[-1]
    between = (total_mean * weights - means * total) ** 2 / np.maximum(weights * (total - weights), 1)
    return float(edges[int(np.argmax(between))])


def cell_edges(ink: np.ndarray, row: tuple[int, int, int, int], count: int) -> np.ndarray:
    """count + 1 cell borders along the row: the even pitch and start that put the least ink on them."""
    top, bottom, left, right = row
    profile = ink[top:bottom].sum(axis=0)
    profile = np.convolve(profile, np.ones(3) / 3, mode="same")
    span = right - left
    best: np.ndarray | None = None
    best_score = np.inf
    for pitch in np.linspace(span / (count - 0.1), span / (count - 0.7), 13):
        for start in np.linspace(left - 0.45 * pitch, left - 0.05 * pitch, 9):
            edges = np.asarray(start + pitch * np.arange(count + 1), dtype=np.float64)
            score = float(np.interp(edges, np.arange(len(profile)), profile, left=0, right=0).sum())
            if score < best_score:
                best, best_score = edges, score
    assert best is not None
    return best


def cells(ink: np.ndarray, row: tuple[int, int, int, int], count: int) -> tuple[np.ndarray, float]:
    """The row's characters as CELL_HEIGHT × CELL_WIDTH ink images (a little of each neighbour
    shows, as in training), and the pitch."""
    top, bottom, _left, _right = row
    edges = cell_edges(ink, row, count)
    pitch = float(edges[1] - edges[0])
    height = bottom - top
    y0, y1 = top - 0.2 * height, bottom + 0.2 * height
    out = np.empty((count, CELL_HEIGHT, CELL_WIDTH), dtype=np.float32)
    for k in range(count):
        x0, x1 = edges[k] - 0.12 * pitch, edges[k + 1] + 0.12 * pitch
        out[k] = _warp(ink, x0, y0, x1, y1)
    return out, pitch


def _warp(ink: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    sx, sy = (x1 - x0) / CELL_WIDTH, (y1 - y0) / CELL_HEIGHT
    matrix = np.array([[sx, 0, x0 + sx / 2 - 0.5], [0, sy, y0 + sy / 2 - 0.5]], dtype=np.float64)
    return cv2.warpAffine(
        ink,
        matrix,
        (CELL_WIDTH, CELL_HEIGHT),
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


def normalised(cell_stack: np.ndarray) -> np.ndarray:
    """Each cell's ink scaled so its darkest stroke is 1: faint and bold print look alike."""
    peak = cell_stack.reshape(len(cell_stack), -1).max(axis=1)
    line_peak = float(np.percentile(peak, 75)) if len(peak) else 1.0
    return np.clip(cell_stack / max(line_peak, 0.05), 0.0, 1.0)


def classify(cell_stack: np.ndarray) -> np.ndarray:
    """Per cell, the probability of each of CLASSES."""
    net = _network()
    net.setInput(normalised(cell_stack)[:, None, :, :].astype(np.float32))
    logits = np.asarray(net.forward(), dtype=np.float64)
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)


def read_band(crop: np.ndarray) -> list[Reading]:
    """The ways the band reads: for its bottom three or two text lines, each MRZ length they may
    have (two lines: a passport's 44 or a card's 36), the likeliest first."""
    ink = flatten(crop)
    rows = text_rows(ink)
    readings = []
    for count in (3, 2):
        if len(rows) < count:
            continue
        chosen = rows[-count:]
        for length in LENGTHS[count]:
            stacks, pitches = zip(*(cells(ink, row, length) for row in chosen), strict=True)
            probabilities = classify(np.concatenate(stacks))
            best = probabilities.argmax(axis=1)
            text = "".join(CLASSES[i] for i in best)
            sure = probabilities.max(axis=1)
            lines = [text[i * length : (i + 1) * length] for i in range(count)]
            confidence = [sure[i * length : (i + 1) * length].tolist() for i in range(count)]
            readings.append(Reading(lines, confidence, float(np.mean(pitches))))
    return sorted(readings, key=lambda r: -r.mean_confidence)
