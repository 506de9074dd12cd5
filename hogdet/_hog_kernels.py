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


def _select(strength, d_row, d_col, best, second, grad_row, grad_col):  # pragma: no cover - compiled
    """One channel's update of (best, second, gradient): strictly greater replaces."""
    greater = strength > best
    second = max(second, min(best, strength))
    best = strength if greater else best
    grad_row = d_row if greater else grad_row
    grad_col = d_col if greater else grad_col
    return best, second, grad_row, grad_col


def _three_channel_row(planes, row, last_col, best, second, grad_rows, grad_cols):  # pragma: no cover - compiled
    """Columns 1 .. last_col - 1 of an inner row of a 3-channel image."""
    for col in range(1, last_col):
        top = np.float32(-1.0)
        runner_up = np.float32(-1.0)
        grad_row = np.float32(0.0)
        grad_col = np.float32(0.0)
        for channel in range(3):
            d_row = planes[channel, row + 1, col] - planes[channel, row - 1, col]
            d_col = planes[channel, row, col + 1] - planes[channel, row, col - 1]
            top, runner_up, grad_row, grad_col = _select(
                d_row * d_row + d_col * d_col, d_row, d_col, top, runner_up, grad_row, grad_col
            )
        best[col] = top
        second[col] = runner_up
        grad_rows[col] = grad_row
        grad_cols[col] = grad_col


def _edge_columns(up, down, last_col, width, best, second, grad_rows, grad_cols):  # pragma: no cover - compiled
    """Column 0 and columns from last_col on (no left or right neighbour: d_col = 0), one channel."""
    _edge_update(up, down, 0, best, second, grad_rows, grad_cols)
    for col in range(max(last_col, 1), width):
        _edge_update(up, down, col, best, second, grad_rows, grad_cols)


def _edge_update(up, down, col, best, second, grad_rows, grad_cols):  # pragma: no cover - compiled
    d_row = down[col] - up[col]
    best[col], second[col], grad_rows[col], grad_cols[col] = _select(
        d_row * d_row, d_row, np.float32(0.0), best[col], second[col], grad_rows[col], grad_cols[col]
    )


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
    cell_of_col = np.arange(width) // cell_width
    last_col = min(width, cols - 1)  # columns 1 .. last_col - 1 have both neighbours
    for row in range(n_cell_rows * cell_height):
        cell_row = row // cell_height
        inner_row = 0 < row < rows - 1
        best[:] = -1.0
        second[:] = -1.0
        fused = channels == 3 and inner_row and last_col > 1
        if fused:
            # Colour rows away from the edge: the three channels in one pass,
            # in registers (the general loop below does the same in three).
            _three_channel_row(planes, row, last_col, best, second, grad_rows, grad_cols)
        for channel in range(channels):
            if fused:
                # Only the columns the fused pass left: the first and those
                # without a right neighbour.
                _edge_columns(planes[channel, row - 1], planes[channel, row + 1], last_col, width,
                              best, second, grad_rows, grad_cols)
                continue
            here = planes[channel, row]
            # The first channel of largest gradient wins (strictly greater
            # replaces); the runner-up is kept to find near ties. Selects
            # only, so that the loops vectorise.
            if inner_row:
                up = planes[channel, row - 1]
                down = planes[channel, row + 1]
                for col in range(1, last_col):
                    d_row = down[col] - up[col]
                    d_col = here[col + 1] - here[col - 1]
                    strength = d_row * d_row + d_col * d_col
                    previous = best[col]
                    greater = strength > previous
                    second[col] = max(second[col], min(previous, strength))
                    best[col] = strength if greater else previous
                    grad_rows[col] = d_row if greater else grad_rows[col]
                    grad_cols[col] = d_col if greater else grad_cols[col]
                for col in range(max(last_col, 1), width):  # no right neighbour: d_col = 0
                    d_row = down[col] - up[col]
                    strength = d_row * d_row
                    previous = best[col]
                    second[col] = max(second[col], min(previous, strength))
                    if strength > previous:
                        best[col] = strength
                        grad_rows[col] = d_row
                        grad_cols[col] = zero
                d_row = down[0] - up[0]
                strength = d_row * d_row
                previous = best[0]
                second[0] = max(second[0], min(previous, strength))
                if strength > previous:
                    best[0] = strength
                    grad_rows[0] = d_row
                    grad_cols[0] = zero
            else:
                for col in range(width):
                    d_col = zero
                    if 0 < col < last_col:
                        d_col = here[col + 1] - here[col - 1]
                    strength = d_col * d_col
                    previous = best[col]
                    second[col] = max(second[col], min(previous, strength))
                    if strength > previous:
                        best[col] = strength
                        grad_rows[col] = zero
                        grad_cols[col] = d_col
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
            position[col] = angle - n32 * np.floor(angle * inverse)
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
                out[cell_row, cell_of_col[col], index] += best[col]
            continue
        for col in range(width):
            magnitude = best[col]
            offset = position[col] + np.float32(0.5)
            lower = np.floor(offset)
            upper_vote = (offset - lower) * magnitude
            lower_vote = magnitude - upper_vote
            # Extended bins -1 .. n fold onto n - 1 and 0.
            below = int(lower) - 1
            above = below + 1
            if below < 0:
                below += n
            if above >= n:
                above -= n
            cell_col = cell_of_col[col]
            out[cell_row, cell_col, below] += lower_vote
            out[cell_row, cell_col, above] += upper_vote


def _resize(planes, row_below, row_above, row_weight, col_below, col_above, col_weight, square_root, out):  # pragma: no cover
    """Separable two-tap bilinear resize into ``out`` (channels, out_rows, out_cols).

    With ``square_root`` the square root of each output value is stored
    instead (HOG's gamma compression, saving a pass over the level).

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
            if square_root:
                for col in range(out.shape[2]):
                    target[col] = np.sqrt(target[col])


def _resample_cells(values, row_below, row_above, row_weight, col_below, col_above, col_weight, factor, out):  # pragma: no cover
    """Bilinear resample of (rows, cols, bins) histograms into ``out``, times ``factor``.

    The same float32 operations, in the same order, as the numpy passes of
    :func:`hogdet.pyramid.resample_histograms`.
    """
    in_cols, bins = values.shape[1], values.shape[2]
    line = np.empty((in_cols, bins), np.float32)
    for row in range(out.shape[0]):
        weight = row_weight[row]
        below = values[row_below[row]]
        above = values[row_above[row]]
        for col in range(in_cols):
            for b in range(bins):
                line[col, b] = below[col, b] + (above[col, b] - below[col, b]) * weight
        for col in range(out.shape[1]):
            left = line[col_below[col]]
            right = line[col_above[col]]
            weight = col_weight[col]
            for b in range(bins):
                out[row, col, b] = (left[b] + (right[b] - left[b]) * weight) * factor


def _window_sums(products, bias, out):  # pragma: no cover - compiled
    """Window scores from block-by-template-block products.

    ``out[r, c] = bias + sum over (i, j) of products[r + i, c + j, i, j]``,
    adding in (i, j) order as the numpy path's shifted slices do, so the
    result is the same to the bit, without one numpy call per template block.
    """
    template_rows, template_cols = products.shape[2], products.shape[3]
    for row in range(out.shape[0]):
        for col in range(out.shape[1]):
            total = bias
            for i in range(template_rows):
                for j in range(template_cols):
                    total += products[row + i, col + j, i, j]
            out[row, col] = total


def _trilinear_blocks(half_cells, row_weights, col_weights, l2_hys, out):  # pragma: no cover - compiled
    """Weighted block sums of half-cell histograms into ``out`` (block_rows, block_cols, length).

    The numpy path's operations in its order: the half-cell rows of each
    block slot weighted and summed first, then the columns. With ``l2_hys``
    each block is also L2-Hys normalised (eps = 1e-5, clip at 0.2).
    """
    block_height, block_width = row_weights.shape[0], col_weights.shape[0]
    n_block_rows, n_block_cols = out.shape[0], out.shape[1]
    bins = half_cells.shape[2]
    row_length = half_cells.shape[1] * bins
    flat = half_cells.reshape(half_cells.shape[0], row_length)
    # (cell row in block, half-cell col * bins): contiguous, so the
    # weighted row sums vectorise.
    by_rows = np.empty((block_height, row_length), np.float32)
    eps_squared = np.float32(1e-10)
    clip = np.float32(0.2)
    for block_row in range(n_block_rows):
        for slot in range(block_height):
            target = by_rows[slot]
            first = True
            for offset in range(row_weights.shape[1]):
                weight = row_weights[slot, offset]
                if weight == 0:
                    continue
                source = flat[2 * block_row + offset]
                if first:
                    for k in range(row_length):
                        target[k] = source[k] * weight
                    first = False
                else:
                    for k in range(row_length):
                        target[k] += source[k] * weight
            if first:
                target[:] = 0.0
        for block_col in range(n_block_cols):
            block = out[block_row, block_col]
            for row_slot in range(block_height):
                for col_slot in range(block_width):
                    start = (row_slot * block_width + col_slot) * bins
                    first = True
                    for offset in range(col_weights.shape[1]):
                        weight = col_weights[col_slot, offset]
                        if weight == 0:
                            continue
                        source_start = (2 * block_col + offset) * bins
                        if first:
                            for b in range(bins):
                                block[start + b] = by_rows[row_slot, source_start + b] * weight
                            first = False
                        else:
                            for b in range(bins):
                                block[start + b] += by_rows[row_slot, source_start + b] * weight
                    if first:
                        block[start : start + bins] = 0.0
            if l2_hys:
                squares = np.float32(0.0)
                for index in range(block.shape[0]):
                    squares += block[index] * block[index]
                scale = np.float32(1.0) / np.sqrt(squares + eps_squared)
                squares = np.float32(0.0)
                for index in range(block.shape[0]):
                    block[index] = min(block[index] * scale, clip)
                    squares += block[index] * block[index]
                scale = np.float32(1.0) / np.sqrt(squares + eps_squared)
                for index in range(block.shape[0]):
                    block[index] *= scale


if KERNELS_AVAILABLE:
    trilinear_blocks_kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_trilinear_blocks)
    resize_kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_resize)
    resample_kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_resample_cells)
    window_sums_kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_window_sums)
    _atan2 = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(_atan2)
    _select = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(_select)
    _edge_update = numba.njit(cache=True, nogil=True, error_model="numpy")(_edge_update)
    _edge_columns = numba.njit(cache=True, nogil=True, error_model="numpy")(_edge_columns)
    _three_channel_row = numba.njit(cache=True, nogil=True, error_model="numpy")(_three_channel_row)
    cell_histograms_kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_cell_histograms)
else:  # pragma: no cover
    cell_histograms_kernel = None
    resize_kernel = None
    resample_kernel = None
    window_sums_kernel = None
    trilinear_blocks_kernel = None
