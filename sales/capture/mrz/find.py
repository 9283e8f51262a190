"""Find MRZ bands by what an MRZ is, at any scale and rotation: two or three long, parallel,
equally long text lines of even height, one line pitch apart (ICAO Doc 9303 part 3: OCR-B at
10 characters per 25.4 mm, lines 4.23 mm apart, so a line is 30, 36 or 44 times as long as a
character is wide and its neighbour sits about 1.7 character heights away).

The search runs on a reduced copy; the band is then cut from the full-resolution image, turned
upright and scaled so its characters have the height the OCR model reads best."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

SEARCH_SIDE = 1400  # px: the longer side of the copy searched
# Assumed character heights on the searched copy: one pass each, from a strip on a whole page to
# an MRZ filling the frame.
CHAR_HEIGHTS = (5, 8, 13, 21, 34)
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class Line:
    x: float
    y: float
    length: float
    height: float
    angle: float  # degrees, of the long side, in (-90, 90]


@dataclass(frozen=True)
class Band:
    """In source pixels: centre, the text direction, a line's length and height, and the lines."""

    x: float
    y: float
    angle: float
    length: float
    line_height: float
    lines: int
    spread: float  # distance between the outer lines' centres
    score: float


def candidates(gray: np.ndarray) -> list[Band]:
    """The likeliest MRZ bands, best first (three lines before two, then the more regular)."""
    scale = _search_scale(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    bands: list[Band] = []
    for height in CHAR_HEIGHTS:
        bands += [_inked(small, band) for band in _groups(_at_height(small, height, _lines))]
    for angle in _text_angles(small):
        bands += [_inked(small, band) for band in _rows_turned(small, angle)]
    bands = _distinct(sorted(bands, key=lambda b: -b.score))
    return [
        Band(
            b.x / scale,
            b.y / scale,
            b.angle,
            b.length / scale,
            b.line_height / scale,
            b.lines,
            b.spread / scale,
            b.score,
        )
        for b in bands[:MAX_CANDIDATES]
    ]


# Characters taller than this are searched on a copy reduced so they are this tall: the same
# lines at a fraction of the cost of filtering the whole copy with kernels sized for them.
SEARCH_CHAR = 10


def _at_height(image: np.ndarray, height: int, finder: Callable[[np.ndarray, int], list[Line]]) -> list[Line]:
    """`finder`'s lines for characters `height` px tall, searched where they are SEARCH_CHAR tall."""
    if height <= SEARCH_CHAR:
        return finder(image, height)
    factor = SEARCH_CHAR / height
    reduced = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return [
        Line(
            (line.x + 0.5) / factor - 0.5,
            (line.y + 0.5) / factor - 0.5,
            line.length / factor,
            line.height / factor,
            line.angle,
        )
        for line in finder(reduced, SEARCH_CHAR)
    ]


def _search_scale(shape: tuple[int, ...]) -> float:
    """The searched copy's scale: the longer side at most SEARCH_SIDE; a small image enlarged to
    700 px so a character spans a few pixels (the reader refuses shapes no document has, so the
    shorter side stays in proportion)."""
    longest = max(shape)
    return SEARCH_SIDE / longest if longest > SEARCH_SIDE else max(1.0, 700 / longest)


def searched_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    scale = _search_scale(shape)
    return round(shape[0] * scale), round(shape[1] * scale)


def _lines(small: np.ndarray, height: int) -> list[Line]:
    """Text lines for characters about `height` px tall: dark strokes (black-hat), joined into
    pieces by a closing narrower than the gap between lines, then pieces chained along their line
    (fillers and wide letters leave gaps a closing that keeps lines apart cannot bridge)."""
    size = int(height * 1.2) | 1
    hat = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    _threshold, ink = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    join = max(3, int(height * 0.6)) | 1
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (join, join)))
    contours, _hierarchy = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    pieces = [p for p in (_piece(c) for c in contours) if p and 0.5 * height <= p[1][1] <= 2.0 * height]
    pieces = sorted(pieces, key=lambda p: -p[1][0])[:MAX_PIECES]
    found = []
    for chain in _chains(pieces, height):
        points = np.concatenate([pieces[i][3] for i in chain])
        (x, y), (w, h), angle = cv2.minAreaRect(points)
        if w < h:
            w, h, angle = h, w, angle + 90
        angle = (angle + 90) % 180 - 90  # the long side's direction in (-90, 90]
        if not 0.6 * height <= h <= 2.2 * height or not 16 <= w / max(h, 1) <= 70:
            continue
        found.append(Line(x, y, w, h, angle))
    return found


MAX_PIECES = 600


# A stroke of the band: its centre, its size (long side first), its angle (radians), its points.
Piece = tuple[tuple[float, float], tuple[float, float], float, np.ndarray]


def _piece(contour: np.ndarray) -> Piece | None:
    (x, y), (w, h), angle = cv2.minAreaRect(contour)
    if w < h:
        w, h, angle = h, w, angle + 90
    if h < 2:
        return None
    return (x, y), (w, h), math.radians(angle), contour.reshape(-1, 2)


def _chains(pieces: list[Piece], height: int) -> list[list[int]]:
    """Pieces that continue one another along a straight line: union-find over close pairs."""
    parent = list(range(len(pieces)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    centres = np.array([p[0] for p in pieces]) if pieces else np.zeros((0, 2))
    halves = np.array([p[1][0] / 2 for p in pieces])
    for i, (centre, (w, _h), _angle, _points) in enumerate(pieces):
        near = np.flatnonzero(np.hypot(*(centres - centre).T) < w / 2 + halves + 2 * height)
        for j in near[near > i]:
            if _continues(pieces[i], pieces[j], height):
                parent[root(int(j))] = root(i)
    chains: dict[int, list[int]] = {}
    for i in range(len(pieces)):
        chains.setdefault(root(i), []).append(i)
    return [c for c in chains.values() if sum(pieces[i][1][0] for i in c) > 10 * height]


def _continues(a: Piece, b: Piece, height: int) -> bool:
    (ax, ay), (aw, ah), _angle_a, _pa = a
    (bx, by), (bw, bh), _angle_b, _pb = b
    if not 0.6 <= ah / bh <= 1.6:
        return False
    # The longer piece gives the direction; a short one (a letter or two) has none worth trusting,
    # so two short pieces never join: they could as well be one above the other.
    long, other = (a, b) if aw >= bw else (b, a)
    (lx, ly), (lw, lh), angle, _p = long
    if lw < 2.5 * lh:
        return False
    ux, uy = math.cos(angle), math.sin(angle)
    dx, dy = other[0][0] - lx, other[0][1] - ly
    across, along = abs(-uy * dx + ux * dy), abs(ux * dx + uy * dy)
    gap = along - lw / 2 - other[1][0] / 2
    return across < 0.35 * height and gap < 1.6 * height


def _groups(lines: list[Line]) -> list[Band]:
    """Lines with a parallel neighbour of the same length one line pitch away, grouped."""
    bands = []
    for i, first in enumerate(lines):
        mates = [other for other in lines[i + 1 :] if _neighbours(first, other)]
        for mate in mates:
            group = [first, mate]
            third = [
                o
                for o in lines
                if o not in group and (_neighbours(o, first) or _neighbours(o, mate)) and _in_line(group, o)
            ]
            bands.append(_band(group + third[:1]))
    return bands


def _neighbours(a: Line, b: Line) -> bool:
    if abs((a.angle - b.angle + 90) % 180 - 90) > 4 or not 0.85 <= a.length / b.length <= 1.18:
        return False
    ux, uy = math.cos(math.radians(a.angle)), math.sin(math.radians(a.angle))
    dx, dy = b.x - a.x, b.y - a.y
    across, along = abs(-uy * dx + ux * dy), abs(ux * dx + uy * dy)
    height = (a.height + b.height) / 2
    return 1.1 * height <= across <= 3.0 * height and along < 0.12 * a.length


def _in_line(group: list[Line], other: Line) -> bool:
    """A third line continues the first two's spacing, on the far side of one of them."""
    a, b = group
    step = math.hypot(b.x - a.x, b.y - a.y)
    return any(
        abs(math.hypot(other.x - c.x, other.y - c.y) - step) < 0.35 * step
        and math.hypot(other.x - d.x, other.y - d.y) > 1.5 * step
        for c, d in ((a, b), (b, a))
    )


def _band(group: list[Line]) -> Band:
    xs, ys = [g.x for g in group], [g.y for g in group]
    angle = float(np.mean([g.angle for g in group]))
    spread = max(math.hypot(p.x - q.x, p.y - q.y) for p in group for q in group)
    lengths = [g.length for g in group]
    regularity = min(lengths) / max(lengths)
    height = float(np.median([g.height for g in group]))
    return Band(
        float(np.mean(xs)),
        float(np.mean(ys)),
        angle,
        max(lengths),
        height,
        len(group),
        spread,
        len(group) + regularity + max(lengths) / 10_000,
    )


def _inked(small: np.ndarray, band: Band) -> Band:
    """The darker its ink, the likelier a band is the MRZ (printed black; a coloured header or
    pale print scores lower): the darkest tenth of the band's pixels counts before its line count."""
    corners = cv2.boxPoints(((band.x, band.y), (band.length, band.spread + band.line_height), band.angle))
    left, top = np.maximum(np.floor(corners.min(axis=0)).astype(int), 0)
    right, bottom = np.ceil(corners.max(axis=0)).astype(int) + 1
    patch = small[top:bottom, left:right]
    mask = np.zeros(patch.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(corners - (left, top)).astype(np.int32)], 255)
    inside = patch[mask > 0]
    ink = float(np.percentile(inside, 10)) if inside.size else 255.0
    return Band(
        band.x,
        band.y,
        band.angle,
        band.length,
        band.line_height,
        band.lines,
        band.spread,
        band.score + (255 - ink) / 50,
    )


def _distinct(bands: list[Band]) -> list[Band]:
    """One band per place, the best first; of two on the same lines, the longer (a part of a line
    split at a wide gap loses to the whole line)."""
    kept: list[Band] = []
    for band in bands:
        same = [i for i, k in enumerate(kept) if _overlap(band, k)]
        if not same:
            kept.append(band)
        elif len(same) == 1 and band.lines == kept[same[0]].lines and band.length > 1.08 * kept[same[0]].length:
            kept[same[0]] = band
    return kept


def _overlap(a: Band, b: Band) -> bool:
    if math.hypot(a.x - b.x, a.y - b.y) <= 0.5 * b.spread + b.line_height:
        return True
    ux, uy = math.cos(math.radians(b.angle)), math.sin(math.radians(b.angle))
    dx, dy = a.x - b.x, a.y - b.y
    parallel = abs((a.angle - b.angle + 90) % 180 - 90) < 5
    return parallel and abs(-uy * dx + ux * dy) < b.line_height and abs(ux * dx + uy * dy) < (a.length + b.length) / 2


def cut(gray: np.ndarray, band: Band, char_height: float, flip: bool = False) -> tuple[np.ndarray, float]:
    """The band upright from the full-resolution image, scaled so characters are `char_height` px
    tall; and that scale (output px per source px)."""
    factor = char_height / max(band.line_height * 0.8, 1)
    if factor < 0.8:  # reduce first: warping straight down to a fraction would alias the strokes
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        band = Band(
            band.x * factor,
            band.y * factor,
            band.angle,
            band.length * factor,
            band.line_height * factor,
            band.lines,
            band.spread * factor,
            band.score,
        )
        crop, _unit = cut(gray, band, char_height, flip)
        return crop, factor
    angle = math.radians(band.angle + (180 if flip else 0))
    ux, uy = math.cos(angle), math.sin(angle)
    nx, ny = -uy, ux
    width = (band.length * 1.08 + 2 * band.line_height) * factor
    height = (_spread_with_a_missed_line(band) + 2.6 * band.line_height) * factor
    matrix = np.array(
        [
            [ux / factor, nx / factor, band.x - (ux * width / 2 + nx * height / 2) / factor],
            [uy / factor, ny / factor, band.y - (uy * width / 2 + ny * height / 2) / factor],
        ]
    )
    crop = cv2.warpAffine(
        gray,
        matrix,
        (max(1, round(width)), max(1, round(height))),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return edges_cleared(crop, round(band.line_height * factor)), factor


def _spread_with_a_missed_line(band: Band) -> float:
    """Two lines as short as an ID card's (30 characters, not a passport's 44) may be two of its
    three, the third lost to a stamp or an edge touching it: the cut takes a line more on each side
    (the reading keeps only lines of an MRZ's length)."""
    if band.lines == 2 and band.length / max(band.line_height, 1) < 32:
        return 3 * band.spread
    return band.spread


def edges_cleared(crop: np.ndarray, margin: int) -> np.ndarray:
    """The crop with a document's edge in its side margins painted as paper. A card photographed
    on a dark table leaves a dark strip beside the first or last character, which the OCR reads
    as one more character; no MRZ character is dark from the top of the band to its bottom."""
    dark = crop < (int(crop.min()) + int(crop.max())) / 2
    wall = dark.mean(axis=0) > 0.8
    margin = min(margin, crop.shape[1] // 4)
    pad = max(2, margin // 8)  # the edge's blur
    out = crop
    left, right = np.flatnonzero(wall[:margin]), np.flatnonzero(wall[crop.shape[1] - margin :])
    if left.size or right.size:
        out = crop.copy()
        paper = np.percentile(crop, 90)
        if left.size:
            out[:, : left.max() + 1 + pad] = paper
        if right.size:
            out[:, crop.shape[1] - margin + right.min() - pad :] = paper
    return out


def _text_angles(small: np.ndarray) -> tuple[float, ...]:
    """The page's text direction (degrees, in (-45, 45]) and the one across it: gradients of print
    point along and across its lines, so their directions folded modulo 90° peak at the text's
    turn. The MRZ shares its page's direction; which of the two, and which way up, the rows and
    the reading tell."""
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    strong = magnitude > np.percentile(magnitude, 90)
    folded = np.degrees(np.arctan2(gy[strong], gx[strong])) % 90
    histogram, _edges = np.histogram(folded, bins=90, range=(0, 90), weights=magnitude[strong])
    smooth = np.convolve(np.concatenate([histogram[-2:], histogram, histogram[:2]]), np.ones(5) / 5, mode="valid")
    peak = float(np.argmax(smooth)) + 0.5
    angle = peak if peak <= 45 else peak - 90
    if abs(angle) < 1.5:
        return 0.0, 90.0
    # A pattern or fibres can outweigh the print: a page that lies straight is searched straight too.
    return angle, angle + 90, 0.0, 90.0


def _rows_turned(small: np.ndarray, angle: float) -> list[Band]:
    """MRZ bands found as horizontal rows in the image turned by -`angle` (text upright), given back in
    the searched copy's coordinates."""
    height, width = small.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (int(height * sin + width * cos), int(height * cos + width * sin))
    matrix[:, 2] += (size[0] / 2 - width / 2, size[1] / 2 - height / 2)
    turned = cv2.warpAffine(small, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    back = cv2.invertAffineTransform(matrix)
    direction = back[:, :2] @ np.array([1.0, 0.0])
    source_angle = math.degrees(math.atan2(direction[1], direction[0]))
    bands = []
    for char_height in CHAR_HEIGHTS:
        for band in _groups(_at_height(turned, char_height, _rows)):
            x, y = back @ np.array([band.x, band.y, 1.0])
            bands.append(
                Band(
                    float(x),
                    float(y),
                    source_angle,
                    band.length,
                    band.line_height,
                    band.lines,
                    band.spread,
                    band.score,
                )
            )
    return bands


def _rows(upright: np.ndarray, height: int) -> list[Line]:
    """Horizontal text lines for characters about `height` px tall: dark strokes (black-hat)
    smeared along the row only, so that an MRZ line (its gaps filled by '<') becomes one long,
    even blob and the line above or below stays apart."""
    size = int(height * 1.2) | 1
    hat = cv2.morphologyEx(upright, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    _threshold, ink = cv2.threshold(hat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    smear = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(height * 0.9)) | 1, 1))
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, smear)
    blobs = cv2.morphologyEx(blobs, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(2, height // 3))))
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    boxes = [
        (int(x), int(y), int(x + w), int(y + h))
        for x, y, w, h, _area in stats[1:count]
        if 0.3 * height <= h <= 1.8 * height  # a run of '<' stands lower than letters: joined, then judged
    ]
    found = []
    for left, top, right, bottom in _joined_along(boxes, height):
        w, h = right - left, bottom - top
        if 0.55 * height <= h <= 1.8 * height and 16 <= w / h <= 75:
            found.append(Line((left + right) / 2, (top + bottom) / 2, float(w), float(h), 0.0))
    return found


def _joined_along(boxes: list[tuple[int, int, int, int]], height: int) -> list[tuple[int, int, int, int]]:
    """Pieces of one row that a wide gap split (a bold face's '<<', a stamp's white halo) joined
    again: the same top and bottom within a third of a character, less than two characters apart.
    Pieces are looked up by the band of rows their middle falls in, so the cost stays linear."""
    out: list[tuple[int, int, int, int]] = []
    rows: dict[int, list[int]] = {}
    step = max(1.0, height / 3)
    for box in sorted(boxes):
        key = round((box[1] + box[3]) / 2 / step)
        near = [i for k in (key - 1, key, key + 1) for i in rows.get(k, ())]
        for i in near:
            last = out[i]
            same_row = abs(box[1] - last[1]) < height / 3 and abs(box[3] - last[3]) < height / 3
            if same_row and 0 <= box[0] - last[2] < 2 * height:
                out[i] = (last[0], min(last[1], box[1]), max(last[2], box[2]), max(last[3], box[3]))
                break
        else:
            rows.setdefault(key, []).append(len(out))
            out.append(box)
    return out


def upright(crop: np.ndarray) -> np.ndarray:
    """The band turned the likelier way up, before any reading: MRZ lines far more often end in
    fillers ('<', little ink) than begin with them, so the end with less ink is the right. Only an
    order to read in: the reading also tries the band the other way up when this one fails."""
    ink = crop < (int(crop.min()) + int(np.percentile(crop, 90))) / 2
    quarter = crop.shape[1] // 4
    left, right = int(ink[:, :quarter].sum()), int(ink[:, -quarter:].sum())
    return np.ascontiguousarray(crop[::-1, ::-1]) if right > 1.15 * left else crop
