"""Compiled inner loops of the HOG cell histograms (numba), one pass per image.

The numpy path of :func:`hogdet.features.cell_histograms` makes a dozen
full-image temporaries (gradients, colour-channel choice, magnitude, angle,
bin index, two ``bincount`` calls); profiled on the benchmark photographs it
was 65% of detection time. This kernel computes the same quantities a row
at a time, with the same float32 arithmetic (the angle from a polynomial,
to float32 rounding) and the same float64 accumulation as ``np.bincount``,
so the two paths agree to float rounding
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


def _atan2(y, x):  # pragma: no cover - compiled
    """float32 atan2 in arithmetic only, so that the loop over a row vectorises.

    Cephes' ``atanf`` polynomial after reduction to [0, tan(pi / 8)]; the
    error is a few 1e-7 radians, the rounding of float32 itself.
    """
    abs_y = abs(y)
    abs_x = abs(x)
    larger = max(abs_x, abs_y)
    smaller = min(abs_x, abs_y)
    ratio = smaller / larger if larger > np.float32(0.0) else np.float32(0.0)
    reduced = ratio > np.float32(0.41421356237309503)
    t = (ratio - np.float32(1.0)) / (ratio + np.float32(1.0)) if reduced else ratio
    z = t * t
    angle = (
        ((np.float32(8.05374449538e-2) * z - np.float32(1.38776856032e-1)) * z + np.float32(1.99777106478e-1)) * z
        - np.float32(3.33329491539e-1)
    ) * z * t + t
    if reduced:
        angle += np.float32(np.pi / 4)
    if abs_y > abs_x:
        angle = np.float32(np.pi / 2) - angle
    if x < np.float32(0.0):
        angle = np.float32(np.pi) - angle
    return -angle if y < np.float32(0.0) else angle


def _cell_histograms(planes, cell_height, cell_width, orientations, mode, out):  # pragma: no cover - compiled
    """Accumulate every whole cell's orientation histogram into ``out``.

    planes : float32 (channels, rows, cols), already gamma-compressed
    out : float64 (cell_rows, cell_cols, orientations), zeroed by the caller
    mode : VOTE_NEAREST_BIN (one bin, the reference's bin edges) or
        VOTE_LINEAR_BINS (split between the two nearest bin centres)

    Works a row at a time: branch-free passes over row buffers (gradient,
    channel choice, magnitude, angle) that the compiler vectorises, then
    the scatter of votes into cells.
    """
    channels, rows, cols = planes.shape
    n_cell_rows, n_cell_cols = out.shape[0], out.shape[1]
    width = n_cell_cols * cell_width
    n = orientations
    zero = np.float32(0.0)
    scale = np.float32(n / np.pi)
    inverse = np.float32(1.0 / n)
    n32 = np.float32(n)
    grad_rows = np.zeros(width, np.float32)
    grad_cols = np.zeros(width, np.float32)
    best = np.empty(width, np.float32)
    second = np.empty(width, np.float32)
    position = np.empty(width, np.float32)
    last_col = min(width, cols - 1)  # columns 1 .. last_col - 1 have both neighbours
    for row in range(n_cell_rows * cell_height):
        cell_row = row // cell_height
        inner_row = 0 < row < rows - 1
        best[:] = -1.0
        second[:] = -1.0
        for channel in range(channels):
            for col in range(width):
                d_row = zero
                if inner_row:
                    d_row = planes[channel, row + 1, col] - planes[channel, row - 1, col]
                d_col = zero
                if 0 < col < last_col:
                    d_col = planes[channel, row, col + 1] - planes[channel, row, col - 1]
                strength = d_row * d_row + d_col * d_col
                # The first channel of largest gradient wins; remember the
                # runner-up to find near ties.
                if strength > best[col]:
                    second[col] = best[col]
                    best[col] = strength
                    grad_rows[col] = d_row
                    grad_cols[col] = d_col
                elif strength > second[col]:
                    second[col] = strength
        if channels > 1:
            for col in range(width):
                # As on the numpy path: where two channels are about equally
                # strong, the first of largest float32 hypot wins.
                if best[col] > zero and second[col] >= best[col] * np.float32(1 - 1e-5):
                    top = np.float32(-1.0)
                    for channel in range(channels):
                        d_row = zero
                        if inner_row:
                            d_row = planes[channel, row + 1, col] - planes[channel, row - 1, col]
                        d_col = zero
                        if 0 < col < last_col:
                            d_col = planes[channel, row, col + 1] - planes[channel, row, col - 1]
                        strength = np.float32(math.hypot(d_row, d_col))
                        if strength > top:
                            top = strength
                            grad_rows[col] = d_row
                            grad_cols[col] = d_col
                    best[col] = grad_rows[col] * grad_rows[col] + grad_cols[col] * grad_cols[col]
        for col in range(width):
            best[col] = np.sqrt(best[col])  # now the magnitude
            angle = _atan2(grad_rows[col], grad_cols[col]) * scale
            position[col] = angle - n32 * np.float32(math.floor(angle * inverse))
        if mode == VOTE_NEAREST_BIN:
            for col in range(width):
                index = min(int(position[col]), n - 1)
                if abs(position[col] - np.float32(round(position[col]))) < np.float32(1e-3):
                    # Near a bin edge the reference's float64 angle decides.
                    degrees = math.degrees(math.atan2(np.float64(grad_rows[col]), np.float64(grad_cols[col])))
                    degrees %= 180.0
                    index = 0
                    for edge in range(1, n):
                        if 180.0 / n * edge <= degrees:
                            index = edge
                out[cell_row, col // cell_width, index] += best[col]
            continue
        for col in range(width):
            magnitude = best[col]
            offset = position[col] + np.float32(0.5)
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
            cell_col = col // cell_width
            out[cell_row, cell_col, below] += lower_vote
            out[cell_row, cell_col, above] += upper_vote


def _resize(planes, row_below, row_above, row_weight, col_below, col_above, col_weight, out):  # pragma: no cover
    """Separable two-tap bilinear resize into ``out`` (channels, out_rows, out_cols).

    The same float32 operations, in the same order, as the numpy passes of
    :func:`hogdet.pyramid.resize_planes` (rows first, then columns), one
    output row at a time so that the intermediate row stays in cache.
    """
    channels = planes.shape[0]
    in_cols = planes.shape[2]
    line = np.empty(in_cols, np.float32)
    for channel in range(channels):
        for row in range(out.shape[1]):
            weight = row_weight[row]
            below = planes[channel, row_below[row]]
            above = planes[channel, row_above[row]]
            for col in range(in_cols):
                line[col] = below[col] + (above[col] - below[col]) * weight
            target = out[channel, row]
            for col in range(out.shape[2]):
                left = line[col_below[col]]
                target[col] = left + (line[col_above[col]] - left) * col_weight[col]


if KERNELS_AVAILABLE:
    resize_kernel = numba.njit(cache=True, nogil=True)(_resize)
    _atan2 = numba.njit(cache=True, nogil=True, inline="always")(_atan2)
    cell_histograms_kernel = numba.njit(cache=True, nogil=True)(_cell_histograms)
else:  # pragma: no cover
    cell_histograms_kernel = None
    resize_kernel = None
