"""Histogram of Oriented Gradients, computed densely over a whole image.

:func:`hog_grid` returns the normalised block grid of an image; the feature
vector of any detection window is a slice of that grid
(:func:`window_features`). Training, mining and detection all read window
features this way, so the classifier is trained on exactly the features it
runs on. With the same parameters, ``hog_grid(image).ravel()`` equals
``skimage.feature.hog(image, ...)`` of the same image to float tolerance
(scikit-image is the reference definition; the test suite checks it), but
the computation here is vectorised instead of looping over blocks.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass

import numpy as np

from ._hog_kernels import (
    KERNELS_AVAILABLE,
    VOTE_LINEAR_BINS,
    VOTE_NEAREST_BIN,
    cell_histograms_kernel,
    trilinear_blocks_kernel,
)
from ._hog_numpy import _numpy_cell_histograms
from .errors import HogdetError

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
INTERPOLATIONS = ("none", "orientation", "trilinear")
#: lambda fitted by ``benchmarks/fit_scale_exponent.py`` on 100 of the benchmark's
#: Train/neg photographs (default HOG parameters; the sum of a cell's votes,
#: hence lambda, does not depend on the interpolation).
FITTED_SCALE_EXPONENT = 0.40


@dataclass(frozen=True)
class HOGParameters:
    """Everything that defines a HOG feature vector and its window.

    The defaults are Dalal & Triggs' (CVPR 2005) person detector: a 64x128
    window, 8x8-pixel cells, 2x2-cell blocks moved by one cell (8 pixels),
    9 unsigned orientation bins over 0-180 degrees, L2-Hys block
    normalisation and square-root gamma compression.

    Parameters
    ----------
    window_size : (int, int)
        Detection window as (height, width) in pixels; a multiple of the cell.
    pixels_per_cell : (int, int)
        Cell size as (rows, cols) in pixels. Blocks (and detection windows)
        move by one cell, as in ``skimage.feature.hog``.
    cells_per_block : (int, int)
        Block size as (rows, cols) in cells.
    orientations : int
        Number of unsigned orientation bins over 0-180 degrees.
    block_norm : {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}
        Block normalisation, as in ``skimage.feature.hog``.
    transform_sqrt : bool
        Square-root (gamma) compression of the image before gradients.
    margin : (int, int)
        Rows and columns of context around the person inside the window
        (INRIA: 16 rows above and below the 96-pixel person, none sideways).
        A detection reports the window less this margin.
    interpolation : {'none', 'orientation', 'trilinear'}
        ``'none'``: each pixel votes into one orientation bin of its own
        cell, exactly as ``skimage.feature.hog``. ``'orientation'``: each
        pixel splits its vote linearly between the two nearest bin centres.
        ``'trilinear'``: Dalal & Triggs' full scheme, also splitting each
        vote bilinearly between the nearest cell centres of the block and
        weighting it by a Gaussian window over the block (sigma = half the
        block width); the spatial weights are evaluated at half-cell
        resolution (4-pixel sub-cells for 8-pixel cells) so that the cost
        stays that of one histogram.
    block_sigma : float
        With ``'trilinear'``: sigma of the Gaussian window over a block, in
        block widths (Dalal & Triggs: 0.5; OpenCV's default: 0.25); 0 turns
        the window off.
    scale_exponent : float
        Power-law exponent lambda of the approximate pyramid
        (:mod:`hogdet.pyramid`): gradient histograms of an image downscaled
        by ``r`` average ``r ** lambda`` times those of the original, per
        cell (Dollar et al., PAMI 2014). Fitted on the training photographs
        by ``benchmarks/fit_scale_exponent.py``; unused by exact pyramids.
    """

    window_size: tuple[int, int] = (128, 64)
    pixels_per_cell: tuple[int, int] = (8, 8)
    cells_per_block: tuple[int, int] = (2, 2)
    orientations: int = 9
    block_norm: str = "L2-Hys"
    transform_sqrt: bool = True
    margin: tuple[int, int] = (16, 0)
    interpolation: str = "none"
    block_sigma: float = 0.5
    scale_exponent: float = FITTED_SCALE_EXPONENT

    def __post_init__(self) -> None:
        for name in ("window_size", "pixels_per_cell", "cells_per_block", "margin"):
            value = tuple(int(v) for v in getattr(self, name))
            if len(value) != 2:
                raise HogdetError(f"HOG parameter {name} must be two integers, got {value}")
            object.__setattr__(self, name, value)
        if min(self.pixels_per_cell) < 1 or min(self.cells_per_block) < 1:
            raise HogdetError("HOG cells and blocks must be at least 1 pixel / 1 cell")
        if self.orientations < 1:
            raise HogdetError(f"HOG orientations must be >= 1, got {self.orientations}")
        if self.interpolation not in INTERPOLATIONS:
            raise HogdetError(f"interpolation must be one of {INTERPOLATIONS}, got {self.interpolation!r}")
        if not np.isfinite(self.scale_exponent):
            raise HogdetError(f"scale_exponent must be a finite number, got {self.scale_exponent}")
        if self.block_sigma < 0:
            raise HogdetError(f"block_sigma must be >= 0, got {self.block_sigma}")
        if self.interpolation == "trilinear" and (self.pixels_per_cell[0] % 2 or self.pixels_per_cell[1] % 2):
            raise HogdetError("trilinear interpolation needs an even number of pixels per cell")
        if self.block_norm not in BLOCK_NORMS:
            raise HogdetError(f"block_norm must be one of {BLOCK_NORMS}, got {self.block_norm!r}")
        cells = self.window_cells
        if (
            cells[0] * self.pixels_per_cell[0] != self.window_size[0]
            or cells[1] * self.pixels_per_cell[1] != self.window_size[1]
        ):
            raise HogdetError(
                f"window_size {self.window_size} is not a whole number of "
                f"{self.pixels_per_cell} cells"
            )
        if cells[0] < self.cells_per_block[0] or cells[1] < self.cells_per_block[1]:
            raise HogdetError("window_size is smaller than one block")
        if not (0 <= 2 * self.margin[0] < self.window_size[0]) or not (
            0 <= 2 * self.margin[1] < self.window_size[1]
        ):
            raise HogdetError(f"margin {self.margin} leaves nothing of window {self.window_size}")

    @property
    def window_cells(self) -> tuple[int, int]:
        """Window size in cells, (rows, cols)."""
        return (
            self.window_size[0] // self.pixels_per_cell[0],
            self.window_size[1] // self.pixels_per_cell[1],
        )

    @property
    def window_blocks(self) -> tuple[int, int]:
        """Number of blocks in a window, (rows, cols)."""
        rows, cols = self.window_cells
        return rows - self.cells_per_block[0] + 1, cols - self.cells_per_block[1] + 1

    @property
    def block_length(self) -> int:
        """Number of values in one normalised block."""
        return self.cells_per_block[0] * self.cells_per_block[1] * self.orientations

    @property
    def n_features(self) -> int:
        """Length of one window's feature vector (3780 for the defaults)."""
        rows, cols = self.window_blocks
        return rows * cols * self.block_length

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_dict(cls, values: dict) -> "HOGParameters":
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)


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


def normalize_blocks(
    histograms: np.ndarray, params: HOGParameters = HOGParameters(), eps: float = 1e-5
) -> np.ndarray:
    """Group cells into overlapping blocks and normalise each block.

    Parameters
    ----------
    histograms : ndarray, shape (cell_rows, cell_cols, orientations)
    params : HOGParameters
    eps : float
        The small constant of ``skimage.feature.hog``'s normalisation.

    Returns
    -------
    blocks : ndarray of float32, shape (block_rows, block_cols, block_length)
        Block ``(r, c)`` covers cells ``r .. r + cells_per_block[0] - 1``
        and ``c .. c + cells_per_block[1] - 1``, flattened in
        (cell row, cell col, orientation) order.
    """
    block_height, block_width = params.cells_per_block
    n_block_rows = histograms.shape[0] - block_height + 1
    n_block_cols = histograms.shape[1] - block_width + 1
    if n_block_rows < 1 or n_block_cols < 1:
        return np.zeros((max(n_block_rows, 0), max(n_block_cols, 0), params.block_length), np.float32)
    # A copy in (block row, block col, cell row, cell col, bin) order.
    blocks = np.empty(
        (n_block_rows, n_block_cols, block_height, block_width, params.orientations), np.float32
    )
    for row in range(block_height):
        for col in range(block_width):
            blocks[:, :, row, col, :] = histograms[row : row + n_block_rows, col : col + n_block_cols]
    return _normalise(blocks.reshape(n_block_rows, n_block_cols, params.block_length), params.block_norm, eps)


def _normalise(blocks: np.ndarray, method: str, eps: float = 1e-5) -> np.ndarray:
    """Normalise each block vector (last axis) as ``skimage.feature.hog`` does."""

    def l2_normalise(values: np.ndarray) -> np.ndarray:
        squares = np.einsum("ijk,ijk->ij", values, values)
        return values / np.sqrt(squares + eps**2)[:, :, np.newaxis]

    if method == "L2":
        return l2_normalise(blocks)
    if method == "L2-Hys":
        clipped = np.minimum(l2_normalise(blocks), 0.2)
        return l2_normalise(clipped)
    l1 = np.abs(blocks).sum(axis=2, keepdims=True) + eps
    if method == "L1":
        return blocks / l1
    return np.sqrt(blocks / l1)


def block_weights(params: HOGParameters = HOGParameters()) -> tuple[np.ndarray, np.ndarray]:
    """Weights of each half-cell of a block towards each cell slot of the block.

    A vote at distance ``d`` from a cell centre goes to that cell with weight
    ``max(0, 1 - d / cell)`` (bilinear interpolation between cell centres,
    truncated at the block's edge as in Dalal & Triggs' implementation),
    times a Gaussian window centred on the block with sigma = half the
    block width times ``params.block_sigma`` (none when it is 0). Both are
    evaluated at the centre of each half-cell.

    Returns
    -------
    row_weights : ndarray, shape (cells_per_block[0], 2 * cells_per_block[0])
    col_weights : ndarray, shape (cells_per_block[1], 2 * cells_per_block[1])
        ``row_weights[i, u]``: weight of half-cell row ``u`` towards cell row ``i``.
    """

    def axis_weights(cells: int, cell: int) -> np.ndarray:
        block = cells * cell
        centres = (np.arange(2 * cells) + 0.5) * (cell / 2)
        cell_centres = (np.arange(cells) + 0.5) * cell
        tent = np.maximum(0.0, 1.0 - np.abs(centres[np.newaxis] - cell_centres[:, np.newaxis]) / cell)
        if params.block_sigma == 0:
            return tent.astype(np.float32)
        sigma = block * params.block_sigma
        gaussian = np.exp(-((centres - block / 2) ** 2) / (2 * sigma**2))
        return (tent * gaussian).astype(np.float32)

    return (
        axis_weights(params.cells_per_block[0], params.pixels_per_cell[0]),
        axis_weights(params.cells_per_block[1], params.pixels_per_cell[1]),
    )


@functools.lru_cache(maxsize=16)
def _cached_block_weights(params: HOGParameters) -> tuple[np.ndarray, np.ndarray]:
    """:func:`block_weights`, computed once per parameter set (read-only)."""
    weights = block_weights(params)
    for array in weights:
        array.flags.writeable = False
    return weights


def _trilinear_blocks(half_cells: np.ndarray, params: HOGParameters) -> np.ndarray:
    """Un-normalised blocks from half-cell histograms, weighted by :func:`block_weights`."""
    row_weights, col_weights = block_weights(params)
    block_height, block_width = params.cells_per_block
    n_block_rows = half_cells.shape[0] // 2 - block_height + 1
    n_block_cols = half_cells.shape[1] // 2 - block_width + 1
    if n_block_rows < 1 or n_block_cols < 1:
        return np.zeros((max(n_block_rows, 0), max(n_block_cols, 0), params.block_length), np.float32)

    def weighted_sum(values: np.ndarray, weights: np.ndarray, count: int, axis: int) -> np.ndarray:
        # Sum of the half-cell rows (or columns) of each block, weighted;
        # blocks move by one cell, i.e. two half-cells.
        total = None
        for offset in np.flatnonzero(weights):
            part = np.take(values, np.arange(offset, offset + 2 * count, 2), axis=axis) * weights[offset]
            total = part if total is None else total.__iadd__(part)
        return total

    # (block row, half-cell col, cell row in block, bin)
    by_rows = np.empty((n_block_rows, half_cells.shape[1], block_height, params.orientations), np.float32)
    for slot in range(block_height):
        by_rows[:, :, slot] = weighted_sum(half_cells, row_weights[slot], n_block_rows, axis=0)
    # (block row, block col, cell row in block, cell col in block, bin)
    blocks = np.empty((n_block_rows, n_block_cols, block_height, block_width, params.orientations), np.float32)
    for slot in range(block_width):
        blocks[:, :, :, slot] = weighted_sum(by_rows, col_weights[slot], n_block_cols, axis=1)
    return blocks.reshape(n_block_rows, n_block_cols, params.block_length)


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
