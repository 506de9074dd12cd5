"""Compiled inner loops of the HOG cell histograms (numba), one pass per image.

The numpy path of :func:`hogdet.features.cell_histograms` makes a dozen
full-image temporaries (gradients, colour-channel choice, magnitude, angle,
bin index, two ``bincount`` calls); profiled on the benchmark photographs it
was 65% of detection time. This kernel computes the same quantities pixel
by pixel, with the same float32 arithmetic and the same float64
accumulation as ``np.bincount``, so the two paths agree to float rounding
(``tests/test_features.py`` compares them and both against
``skimage.feature.hog``).

``KERNELS_AVAILABLE`` is False when numba cannot be imported; callers then
use the numpy path.
"""

from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None

KERNELS_AVAILABLE = numba is not None

#: Voting modes of :func:`cell_histograms_kernel`.
VOTE_NEAREST_BIN = 0
VOTE_LINEAR_BINS = 1


def _difference(planes, channel, row, col, rows, cols):  # pragma: no cover - compiled
    """Centred differences (rows, cols) of one channel at one pixel, zero on the image edge."""
    d_row = np.float32(0.0)
    d_col = np.float32(0.0)
    if 0 < row < rows - 1:
        d_row = planes[channel, row + 1, col] - planes[channel, row - 1, col]
    if 0 < col < cols - 1:
        d_col = planes[channel, row, col + 1] - planes[channel, row, col - 1]
    return d_row, d_col


def _cell_histograms(planes, cell_height, cell_width, orientations, mode, out):  # pragma: no cover - compiled
    """Accumulate every whole cell's orientation histogram into ``out``.

    planes : float32 (channels, rows, cols), already gamma-compressed
    out : float64 (cell_rows, cell_cols, orientations), zeroed by the caller
    mode : VOTE_NEAREST_BIN (one bin, the reference's bin edges, decided in
        float64) or VOTE_LINEAR_BINS (split between the two nearest centres)
    """
    channels, rows, cols = planes.shape
    n_cell_rows, n_cell_cols = out.shape[0], out.shape[1]
    n = orientations
    scale = np.float32(n / np.pi)
    inverse = np.float32(1.0 / n)
    n32 = np.float32(n)
    half = np.float32(0.5)
    zero = np.float32(0.0)
    edge_width = 180.0 / n
    for row in range(n_cell_rows * cell_height):
        cell_row = row // cell_height
        for col in range(n_cell_cols * cell_width):
            cell_col = col // cell_width
            grad_row = zero
            grad_col = zero
            best = np.float32(-1.0)
            for channel in range(channels):
                # Centred differences, zero on the image edge.
                d_row = zero
                d_col = zero
                if 0 < row < rows - 1:
                    d_row = planes[channel, row + 1, col] - planes[channel, row - 1, col]
                if 0 < col < cols - 1:
                    d_col = planes[channel, row, col + 1] - planes[channel, row, col - 1]
                strength = d_row * d_row + d_col * d_col
                if strength > best:
                    best = strength
                    grad_row, grad_col = d_row, d_col
            if channels > 1 and best > zero:
                # As on the numpy path: where two channels are about equally
                # strong, the first of largest float32 hypot wins.
                close = 0
                tie_level = best * np.float32(1 - 1e-5)
                for channel in range(channels):
                    d_row, d_col = _difference(planes, channel, row, col, rows, cols)
                    if d_row * d_row + d_col * d_col >= tie_level:
                        close += 1
                if close > 1:
                    best = np.float32(-1.0)
                    for channel in range(channels):
                        d_row, d_col = _difference(planes, channel, row, col, rows, cols)
                        strength = np.float32(math.hypot(d_row, d_col))
                        if strength > best:
                            best = strength
                            grad_row, grad_col = d_row, d_col
            squares = grad_row * grad_row + grad_col * grad_col
            magnitude = np.float32(math.sqrt(squares))
            if mode == VOTE_NEAREST_BIN:
                degrees = math.degrees(math.atan2(np.float64(grad_row), np.float64(grad_col))) % 180.0
                index = 0
                for edge in range(1, n):
                    if edge_width * edge <= degrees:
                        index = edge
                out[cell_row, cell_col, index] += magnitude
                continue
            position = np.float32(np.arctan2(grad_row, grad_col)) * scale
            position = position - n32 * np.float32(math.floor(position * inverse))
            offset = position + half
            lower = np.float32(math.floor(offset))
            upper_vote = (offset - lower) * magnitude
            lower_vote = magnitude - upper_vote
            # Extended bins -1 .. n fold onto n - 1 and 0.
            below = int(lower) - 1
            above = below + 1
            if below < 0:
                below += n
            if above >= n:
                above -= n
            out[cell_row, cell_col, below] += lower_vote
            out[cell_row, cell_col, above] += upper_vote


if KERNELS_AVAILABLE:
    _difference = numba.njit(cache=True, nogil=True, inline="always")(_difference)
    cell_histograms_kernel = numba.njit(cache=True, nogil=True)(_cell_histograms)
else:  # pragma: no cover
    cell_histograms_kernel = None
