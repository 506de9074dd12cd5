"""Histogram of Oriented Gradients, computed densely over a whole image.

:func:`hog_grid` returns the normalised block grid of an image; the feature
vector of any detection window is a slice of that grid
(:func:`window_features`). Training, mining and detection all read window
features this way, so the classifier is trained on exactly the features it
runs on. With the same parameters, ``hog_grid(image).ravel()`` equals
``skimage.feature.hog(image, ...)`` of the same image to float tolerance
(scikit-image is the reference definition; the test suite checks it), but
the computation here is vectorised instead of looping over blocks.

The parameters are :class:`hogdet.hog_parameters.HOGParameters`; blocks
are assembled from cell histograms and normalised by :mod:`hogdet.blocks`.
"""

from __future__ import annotations

import numpy as np

from ._hog_kernels import (
    KERNELS_AVAILABLE,
    VOTE_LINEAR_BINS,
    VOTE_NEAREST_BIN,
    cell_histograms_kernel,
    trilinear_blocks_kernel,
)
from ._hog_numpy import _numpy_cell_histograms
# Block assembly and normalisation, and the parameters, have their own
# modules; their names stay importable from here.
from .blocks import _cached_block_weights, _normalise, _trilinear_blocks, block_weights, normalize_blocks  # noqa: F401
from .hog_parameters import BLOCK_NORMS, FITTED_SCALE_EXPONENT, INTERPOLATIONS, HOGParameters  # noqa: F401

def image_planes(image: np.ndarray) -> np.ndarray:
    """An image as contiguous float32 planes, shape (channels, rows, cols)."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        return image[np.newaxis]
    return np.ascontiguousarray(np.moveaxis(image, 2, 0))


def cell_histograms(
    image: np.ndarray | None,
    params: HOGParameters = HOGParameters(),
    planes: np.ndarray | None = None,
    cell_size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Orientation histograms of every whole cell of an image.

    Each pixel adds its gradient magnitude to the bin of its unsigned
    orientation (no interpolation between bins or cells, as in
    ``skimage.feature.hog``), or splits it between the two nearest bins with
    ``params.interpolation == "orientation"``. Pixels past the last whole
    cell are ignored.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3)
        Float image, values in [0, 1].
    params : HOGParameters
    planes : ndarray, shape (channels, rows, cols), optional
        The image as :func:`image_planes` gives it, instead of ``image``.
    cell_size : (int, int), optional
        Histogram cells of this size instead of ``params.pixels_per_cell``.

    Returns
    -------
    histograms : ndarray of float32, shape (cell_rows, cell_cols, orientations)
    """
    planes = image_planes(image) if planes is None else planes
    if params.transform_sqrt:
        planes = np.sqrt(planes)
    cell_size = cell_size or params.pixels_per_cell
    if not KERNELS_AVAILABLE:
        return _numpy_cell_histograms(planes, params, cell_size)
    n_cell_rows = planes.shape[1] // cell_size[0]
    n_cell_cols = planes.shape[2] // cell_size[1]
    # float64 sums, as np.bincount accumulates on the numpy path.
    histograms = np.zeros((n_cell_rows, n_cell_cols, params.orientations), np.float64)
    mode = VOTE_NEAREST_BIN if params.interpolation == "none" else VOTE_LINEAR_BINS
    cell_histograms_kernel(
        np.ascontiguousarray(planes, dtype=np.float32), cell_size[0], cell_size[1], params.orientations, mode,
        histograms,
    )
    return histograms.astype(np.float32)


def histogram_cell_size(params: HOGParameters = HOGParameters()) -> tuple[int, int]:
    """Pixel size (rows, cols) of the histogram cells blocks are built from.

    The cell itself, or half of it with ``'trilinear'`` interpolation (whose
    spatial weights are evaluated per half-cell).
    """
    if params.interpolation == "trilinear":
        return params.pixels_per_cell[0] // 2, params.pixels_per_cell[1] // 2
    return params.pixels_per_cell


def histogram_grid(
    image: np.ndarray | None, params: HOGParameters = HOGParameters(), planes: np.ndarray | None = None
) -> np.ndarray:
    """The un-normalised histograms a block grid is built from.

    :func:`cell_histograms` at :func:`histogram_cell_size`; the approximate
    pyramid (:mod:`hogdet.pyramid`) resamples these between scales.

    Returns
    -------
    histograms : ndarray of float32, shape (rows, cols, orientations)
    """
    return cell_histograms(image, params, planes, histogram_cell_size(params))


def blocks_from_histograms(histograms: np.ndarray, params: HOGParameters = HOGParameters()) -> np.ndarray:
    """The normalised block grid of a :func:`histogram_grid`.

    Returns
    -------
    grid : ndarray of float32, shape (block_rows, block_cols, block_length)
    """
    if params.interpolation != "trilinear":
        return normalize_blocks(histograms, params)
    if not KERNELS_AVAILABLE:
        return _normalise(_trilinear_blocks(histograms, params), params.block_norm)
    n_block_rows = max(histograms.shape[0] // 2 - params.cells_per_block[0] + 1, 0)
    n_block_cols = max(histograms.shape[1] // 2 - params.cells_per_block[1] + 1, 0)
    blocks = np.empty((n_block_rows, n_block_cols, params.block_length), np.float32)
    if blocks.size == 0:
        return blocks
    l2_hys = params.block_norm == "L2-Hys"
    row_weights, col_weights = _cached_block_weights(params)
    trilinear_blocks_kernel(np.ascontiguousarray(histograms, np.float32), row_weights, col_weights, l2_hys, blocks)
    return blocks if l2_hys else _normalise(blocks, params.block_norm)


def hog_grid(
    image: np.ndarray | None, params: HOGParameters = HOGParameters(), planes: np.ndarray | None = None
) -> np.ndarray:
    """Dense HOG of a whole image: the normalised block grid.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3)
        Float image with values in [0, 1] (see :func:`hogdet.io.as_float_image`).
    params : HOGParameters
    planes : ndarray, shape (channels, rows, cols), optional
        The image as :func:`image_planes` gives it, instead of ``image``.

    Returns
    -------
    grid : ndarray of float32, shape (block_rows, block_cols, block_length)
        ``grid.ravel()`` equals ``skimage.feature.hog(image, ...,
        feature_vector=True)`` with the same parameters. An image smaller
        than one block gives a grid with zero rows or columns.

    Examples
    --------
    >>> import numpy as np
    >>> grid = hog_grid(np.random.default_rng(0).random((128, 64)))
    >>> grid.shape
    (15, 7, 36)
    """
    return blocks_from_histograms(histogram_grid(image, params, planes), params)


def window_features(grid: np.ndarray, positions: np.ndarray, params: HOGParameters = HOGParameters()) -> np.ndarray:
    """Feature vectors of windows read from a block grid.

    Parameters
    ----------
    grid : ndarray, shape (block_rows, block_cols, block_length)
        From :func:`hog_grid`.
    positions : ndarray of int, shape (n, 2)
        Top-left cell (row, col) of each window; a window at cell ``(r, c)``
        covers pixels ``8 r .. 8 r + 127`` by ``8 c .. 8 c + 63`` for the
        defaults.
    params : HOGParameters

    Returns
    -------
    features : ndarray of float32, shape (n, n_features)
    """
    positions = np.asarray(positions, dtype=np.intp).reshape(-1, 2)
    block_rows, block_cols = params.window_blocks
    offsets_row, offsets_col = np.meshgrid(np.arange(block_rows), np.arange(block_cols), indexing="ij")
    rows = positions[:, 0, None, None] + offsets_row
    cols = positions[:, 1, None, None] + offsets_col
    return grid[rows, cols].reshape(len(positions), params.n_features)


def window_positions(grid_shape: tuple[int, ...], params: HOGParameters = HOGParameters()) -> tuple[int, int]:
    """Number of window positions (rows, cols) a block grid allows."""
    block_rows, block_cols = params.window_blocks
    return max(grid_shape[0] - block_rows + 1, 0), max(grid_shape[1] - block_cols + 1, 0)
