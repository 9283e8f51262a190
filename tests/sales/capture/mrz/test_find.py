"""The band cut of sales/capture/mrz/find.py: a document's edge beside the MRZ is painted out."""

import numpy as np

from sales.capture.mrz.find import edges_cleared


def band_with_text() -> np.ndarray:
    crop = np.full((120, 600), 230, dtype=np.uint8)
    for x in range(60, 540, 24):  # two lines of character-like strokes
        crop[30:60, x : x + 6] = 20
        crop[70:100, x + 8 : x + 14] = 20
    return crop


def test_a_dark_edge_in_a_side_margin_becomes_paper_and_the_text_stays():
    crop = band_with_text()
    crop[:, :18] = 15  # the table beyond the card's left edge
    crop[:, 585:] = 15  # and its right edge
    cleared = edges_cleared(crop, margin=50)
    assert cleared[:, :18].min() > 200 and cleared[:, 585:].min() > 200
    assert np.array_equal(cleared[:, 40:560], band_with_text()[:, 40:560])


def test_text_alone_is_left_as_it_is():
    crop = band_with_text()
    assert edges_cleared(crop, margin=50) is crop


def test_an_edge_away_from_the_margins_is_not_touched():
    crop = band_with_text()
    crop[:, 300:305] = 15  # a fold or a seam across the middle of the band
    assert edges_cleared(crop, margin=50) is crop
