"""The numpy implementation of HOG cell histograms (the reference path).

:func:`hogdet.features.cell_histograms` runs the compiled kernels of
:mod:`hogdet._hog_kernels` when numba is installed and this otherwise; the
tests keep the two equal, and this one equal to ``skimage.feature.hog``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .features import HOGParameters


def _gradients(planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred differences along rows and columns, zero on the image edge.

    For colour images each pixel keeps the channel with the largest gradient
    magnitude (Dalal & Triggs; ``skimage.feature.hog``), the first one on a tie.

    Parameters
    ----------
    planes : ndarray of float32, shape (channels, rows, cols)
    """
    # np.empty + explicit zero edges: np.zeros maps fresh pages from the
    # kernel on every call, which profiled slower than the arithmetic.
    grad_rows = np.empty_like(planes)
    grad_cols = np.empty_like(planes)
    grad_rows[:, [0, -1]] = 0
    grad_cols[:, :, [0, -1]] = 0
    np.subtract(planes[:, 2:], planes[:, :-2], out=grad_rows[:, 1:-1])
    np.subtract(planes[:, :, 2:], planes[:, :, :-2], out=grad_cols[:, :, 1:-1])
    if len(planes) == 1:
        return grad_rows[0], grad_cols[0]
    # Only arithmetic and comparisons below: numpy's where, argmax over a
    # short axis and boolean indexing each cost ten times more per pixel
    # (profiled), and this runs on every pyramid level.
    strength = grad_rows * grad_rows
    strength += grad_cols * grad_cols
    best = np.max(strength, axis=0)
    taken = np.zeros(best.shape, bool)
    best_rows = np.zeros_like(best)
    best_cols = np.zeros_like(best)
    close_channels = np.zeros(best.shape, np.int8)
    tie_level = best * np.float32(1 - 1e-5)
    last = len(planes) - 1
    for channel in range(len(planes)):
        # The first channel reaching the maximum, as argmax would pick; the
        # last channel takes whatever is left.
        if channel < last:
            chosen = strength[channel] == best
            chosen &= ~taken
            taken |= chosen
        else:
            chosen = ~taken
        weight = chosen.astype(np.float32)
        best_rows += grad_rows[channel] * weight
        best_cols += grad_cols[channel] * weight
        close_channels += strength[channel] >= tie_level
    # Where two channels are about equally strong, float32 rounding of the
    # magnitude decides; redo those few pixels exactly as the reference does
    # (hypot in float32, then the first maximum).
    near_tie = (close_channels > 1) & (best > 0)
    if near_tie.any():
        where = np.flatnonzero(near_tie)
        rows = grad_rows.reshape(len(planes), -1)[:, where]
        cols = grad_cols.reshape(len(planes), -1)[:, where]
        choice = np.hypot(rows, cols).argmax(axis=0)[np.newaxis]
        best_rows.ravel()[where] = np.take_along_axis(rows, choice, axis=0)[0]
        best_cols.ravel()[where] = np.take_along_axis(cols, choice, axis=0)[0]
    return best_rows, best_cols


def _orientation_bins(
    grad_rows: np.ndarray, grad_cols: np.ndarray, orientations: int, exact_edges: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned orientation bin of each pixel, as ``skimage.feature.hog`` assigns it.

    Bin ``i`` holds orientations in ``[180 i / n, 180 (i + 1) / n)`` degrees.
    Also returns the continuous position in bin units, in ``[0, n)``; with
    ``exact_edges=False`` (when only the position is used) the float64
    recheck of pixels on bin edges is skipped.
    The angle is computed in float32 for speed; the few pixels that lie
    within rounding distance of a bin edge are recomputed in float64 so that
    they fall in the same bin as in the float64 reference.
    """
    position = np.arctan2(grad_rows, grad_cols)
    position *= np.float32(orientations / np.pi)
    # Fold (-n, n] into [0, n) with arithmetic only (no boolean indexing).
    position -= np.float32(orientations) * np.floor(position * np.float32(1 / orientations))
    bins = position.astype(np.int32)
    np.minimum(bins, orientations - 1, out=bins)
    if not exact_edges:
        return bins, position
    distance_to_edge = np.abs(position - np.rint(position))
    near_edge = distance_to_edge < 1e-3
    if near_edge.any():
        where = np.flatnonzero(near_edge)
        exact = np.arctan2(grad_rows.ravel()[where], grad_cols.ravel()[where], dtype=np.float64)
        exact = np.rad2deg(exact) % 180.0
        edges = 180.0 / orientations * np.arange(1, orientations)
        bins.ravel()[where] = np.searchsorted(edges, exact, side="right")
    return bins, position


def _numpy_cell_histograms(planes: np.ndarray, params: HOGParameters, cell_size: tuple[int, int]) -> np.ndarray:
    """:func:`cell_histograms` of gamma-compressed planes with numpy only (no numba)."""
    cell_height, cell_width = cell_size
    n_cell_rows = planes.shape[1] // cell_height
    n_cell_cols = planes.shape[2] // cell_width
    grad_rows, grad_cols = _gradients(planes)
    height, width = n_cell_rows * cell_height, n_cell_cols * cell_width
    grad_rows = grad_rows[:height, :width]
    grad_cols = grad_cols[:height, :width]

    magnitude = grad_rows * grad_rows
    magnitude += grad_cols * grad_cols
    np.sqrt(magnitude, out=magnitude)
    n_bins = params.orientations
    if params.interpolation == "none":
        bins, _ = _orientation_bins(grad_rows, grad_cols, n_bins)
        cell_index = _cell_index(height, width, cell_height, cell_width, n_bins)
        histograms = np.bincount(
            (bins + cell_index).ravel(), weights=magnitude.ravel(), minlength=n_cell_rows * n_cell_cols * n_bins
        )
        return histograms.reshape(n_cell_rows, n_cell_cols, n_bins).astype(np.float32)

    # Linear vote between the two nearest bin centres ((i + 0.5) bins). Each
    # cell gets two extra bins, for "bin -1" and "bin n", so that no pixel
    # needs wrapping; they are folded onto bins n - 1 and 0 afterwards.
    _, position = _orientation_bins(grad_rows, grad_cols, n_bins, exact_edges=False)
    offset = position + np.float32(0.5)  # (position - 0.5) + 1 for the extra bin
    lower = np.floor(offset)
    upper_votes = offset - lower
    upper_votes *= magnitude
    magnitude -= upper_votes
    cell_index = _cell_index(height, width, cell_height, cell_width, n_bins + 2)
    lower_index = (lower.astype(np.int32) + cell_index).ravel()
    size = n_cell_rows * n_cell_cols * (n_bins + 2)
    extended = np.bincount(lower_index, weights=magnitude.ravel(), minlength=size)
    lower_index += 1
    extended += np.bincount(lower_index, weights=upper_votes.ravel(), minlength=size)
    extended = extended.reshape(n_cell_rows, n_cell_cols, n_bins + 2)
    histograms = extended[:, :, 1:-1].copy()
    histograms[:, :, -1] += extended[:, :, 0]
    histograms[:, :, 0] += extended[:, :, -1]
    return histograms.astype(np.float32)


def _cell_index(height: int, width: int, cell_height: int, cell_width: int, bins_per_cell: int) -> np.ndarray:
    """Flat index of (cell row, cell col, bin 0) of every pixel, shape (height, width)."""
    n_cell_cols = width // cell_width
    cell_of_row = (np.arange(height, dtype=np.int32) // cell_height) * (n_cell_cols * bins_per_cell)
    cell_of_col = (np.arange(width, dtype=np.int32) // cell_width) * bins_per_cell
    return cell_of_row[:, np.newaxis] + cell_of_col[np.newaxis, :]
