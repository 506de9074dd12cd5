"""HOG blocks: cell histograms grouped into overlapping blocks and normalised.

The numpy definitions: :func:`normalize_blocks` (cells voted into their own
cell, as ``skimage.feature.hog``) and, for Dalal & Triggs' trilinear
voting, the spatial weights of half-cells towards each cell of a block
(:func:`block_weights`) and the weighted assembly of blocks from half-cell
histograms. :func:`hogdet.features.blocks_from_histograms` runs the
compiled kernel instead when numba is available.
"""

from __future__ import annotations

import functools

import numpy as np

from .hog_parameters import HOGParameters


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
